using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

/// <summary>The real @segment/analytics-node client → the relay on a real port → a fake Userlist.</summary>
public sealed class SegmentClientToUserlistTests
{
    [SkippableFact]
    public async Task AnalyticsNode_IdentifyGroupTrack_UserlistReceivesExactlyTheThreeExpectedRequests()
    {
        NodeClient.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(onRealPort: true);

        object[] calls =
        [
            new { method = "identify", @params = new { userId = "user-42", timestamp = "2024-05-01T12:00:00.000Z", traits = new { email = "ada@example.com", name = "Ada", createdAt = "2024-01-01T00:00:00Z" } } },
            new
            {
                method = "group",
                @params = new
                {
                    userId = "user-42", groupId = "acct-7", timestamp = "2024-05-01T12:00:01.000Z", traits = new { name = "Initech", plan = "enterprise" },
                    integrations = new { Userlist = new { extensions = new { relationship = new { properties = new { role = "owner" } } } } },
                },
            },
            new { method = "track", @params = new { userId = "user-42", @event = "Item Purchased", timestamp = "2024-05-01T12:00:02.000Z", properties = new { plan = "pro" }, context = new { groupId = "acct-7" } } },
        ];

        var sent = await NodeClient.SendAsync(harness.ServerAddress, RelayFactory.WriteKey, calls);
        Assert.Empty(sent.Failed);
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()) is { Count: 3 } stored && stored.All(m => m.Status == MessageStatus.Delivered),
            "all three are delivered");

        var requests = harness.Userlist.Requests.OrderBy(r => r.ReceivedAt).ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal(("POST", "/users", """{"identifier":"user-42","email":"ada@example.com","signed_up_at":"2024-01-01T00:00:00Z","properties":{"name":"Ada"}}"""),
            (requests[0].Method, requests[0].Path, requests[0].Body));
        Assert.Equal(("POST", "/companies", """{"identifier":"acct-7","name":"Initech","properties":{"plan":"enterprise"},"relationships":[{"user":"user-42","properties":{"role":"owner"}}]}"""),
            (requests[1].Method, requests[1].Path, requests[1].Body));
        Assert.Equal("POST /events", $"{requests[2].Method} {requests[2].Path}");
        Assert.StartsWith("""{"name":"Item Purchased","user":"user-42","company":"acct-7","occurred_at":"20""", requests[2].Body, StringComparison.Ordinal);
        Assert.EndsWith(""","properties":{"plan":"pro"}}""", requests[2].Body, StringComparison.Ordinal);
        Assert.All(requests, r => Assert.Equal("Push " + DeliveryHarness.PushKey, r.Authorization));
    }
}
