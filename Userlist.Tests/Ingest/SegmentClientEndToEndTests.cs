using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Ingest;

/// <summary>The real @segment/analytics-node client against the relay listening on a real port.</summary>
public sealed class SegmentClientEndToEndTests
{
    [SkippableFact]
    public async Task AnalyticsNode_SendsEveryCallType_AllAcknowledgedAndStored()
    {
        NodeClient.SkipUnlessInstalled();
        await using var relay = new RelayFactory();
        relay.UseKestrel(0);
        relay.StartServer();

        object[] calls =
        [
            new { method = "identify", @params = new { userId = "user-42", traits = new { email = "ada@example.com", name = "Ada", createdAt = "2024-01-01T00:00:00Z" } } },
            new { method = "group", @params = new { userId = "user-42", groupId = "acct-7", traits = new { name = "Initech" } } },
            new { method = "track", @params = new { userId = "user-42", @event = "Item Purchased", properties = new { plan = "pro", revenue = 14.99 }, context = new { groupId = "acct-7" } } },
            new { method = "page", @params = new { userId = "user-42", name = "Pricing" } },
            new { method = "screen", @params = new { anonymousId = "anon-1", name = "Home" } },
            new { method = "alias", @params = new { userId = "user-42", previousId = "anon-1" } },
        ];

        var result = await NodeClient.SendAsync(relay.ServerAddress, RelayFactory.WriteKey, calls);

        Assert.Empty(result.Failed);
        Assert.Equal(6, result.Acknowledged.Count);
        var stored = await relay.MessagesAsync();
        Assert.Equal(result.Acknowledged.Order(), stored.Select(m => m.MessageId).Order());
        Assert.Equal(["identify", "group", "track", "page", "screen", "alias"], stored.Select(m => m.Type));
        Assert.All(stored, m => Assert.Equal(MessageStatus.Pending, m.Status));
        var track = stored.Single(m => m.Type == "track");
        Assert.Equal(("Item Purchased", "acct-7"), (track.Event, track.GroupId));
        Assert.Contains("\"@segment/analytics-node\"", track.Payload, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task AnalyticsNode_ManyCallsAcrossBatches_EveryAcknowledgedCallIsStoredOnce()
    {
        NodeClient.SkipUnlessInstalled();
        await using var relay = new RelayFactory();
        relay.UseKestrel(0);
        relay.StartServer();
        var calls = Enumerable.Range(0, 500)
            .Select(i => (object)new { method = "track", @params = new { userId = $"user-{i % 25}", @event = "Step", properties = new { step = i } } })
            .ToList();

        var result = await NodeClient.SendAsync(relay.ServerAddress, RelayFactory.WriteKey, calls);

        Assert.Empty(result.Failed);
        var stored = await relay.MessagesAsync();
        Assert.Equal(500, stored.Count);
        Assert.Equal(result.Acknowledged.Order(), stored.Select(m => m.MessageId).Order());
    }
}
