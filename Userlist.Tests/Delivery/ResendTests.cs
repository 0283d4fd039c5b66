using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Resending Delivered calls (design §11), one or all matching a filter, after a loss in Userlist
/// or into a new Userlist app: each goes again on its own request, mapped with today's settings,
/// never merged or skipped as unchanged, its history kept, the resend audited with where it went.
/// </summary>
public sealed class ResendTests
{
    private const string Operator = "ops@example.com";

    [SkippableFact]
    public async Task ResendByFilter_FromTheRealSegmentClient_SendsExactlyTheMatchingCallsAgain_EachOnItsOwn()
    {
        NodeClient.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(StorageKind.Sqlite, onRealPort: true);
        object[] calls =
        [
            new { method = "identify", @params = new { userId = "ada", traits = new { plan = "pro" } } },
            new { method = "identify", @params = new { userId = "ada", traits = new { seats = 3 } } },
            new { method = "track", @params = new { userId = "ada", @event = "Report Exported" } },
            new { method = "identify", @params = new { userId = "bob", traits = new { plan = "free" } } },
        ];
        Assert.Empty((await NodeClient.SendAsync(harness.ServerAddress, RelayFactory.WriteKey, calls)).Failed);
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "all four delivered");
        var sentBefore = harness.Userlist.Requests.Count;
        var retries = harness.Relay.Services.GetRequiredService<RetryService>();
        var filter = new MessageFilter(UserId: "ada");

        Assert.Equal(3, await retries.CountAsync(SendAgain.Resend, filter, CancellationToken.None));
        Assert.Equal(3, await retries.SendMatchingAgainAsync(SendAgain.Resend, filter, Operator, "http://new-app.example/", null, CancellationToken.None));
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered)
            && harness.Userlist.Requests.Count == sentBefore + 3, "ada's three calls delivered again");

        // Each on its own request (the two identifies are not merged, nor skipped as unchanged), in order.
        var again = harness.Userlist.Requests.Skip(sentBefore).ToList();
        Assert.Equal(["/users", "/users", "/events"], again.Select(r => r.Path));
        Assert.Contains("\"plan\":\"pro\"", again[0].Body);
        Assert.Contains("\"seats\":3", again[1].Body);
        foreach (var ada in (await harness.Relay.MessagesAsync()).Where(m => m.UserId == "ada"))
        {
            Assert.Equal(2, (await AttemptsAsync(harness, ada.Id)).Count);
        }

        Assert.Single(await AttemptsAsync(harness, (await harness.Relay.MessagesAsync()).Single(m => m.UserId == "bob").Id));
        var audit = Assert.Single(await AuditAsync(harness), e => e.Action == "Resend");
        Assert.Equal("Resent 3 Delivered calls where user id = \u2068ada\u2069 to http://new-app.example/", audit.Detail);
    }

    [SkippableFact]
    public async Task ResendOne_OnlyADeliveredCall_IsSentAgain_AndAudited()
    {
        await using var harness = await DeliveryHarness.StartAsync();
        await harness.SendAsync("/v1/identify", """{"userId":"ada","messageId":"i1","traits":{"plan":"pro"}}""");
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-1","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);
        var retries = harness.Relay.Services.GetRequiredService<RetryService>();
        var delivered = await harness.MessageAsync("i1");

        Assert.False(await retries.ResendAsync((await harness.MessageAsync("t1")).Id, Operator, "http://push.example/", CancellationToken.None));
        Assert.True(await retries.ResendAsync(delivered.Id, Operator, "http://push.example/", CancellationToken.None));
        await Eventually.HoldsAsync(() => Task.FromResult(harness.Userlist.Requests.Count == 2), "sent again");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);

        Assert.Equal(harness.Userlist.Requests[0].Body, harness.Userlist.Requests[1].Body);
        Assert.Equal($"Resent call {delivered.Id} to http://push.example/", Assert.Single(await AuditAsync(harness)).Detail);
    }

    private static async Task<List<DeliveryAttempt>> AttemptsAsync(DeliveryHarness harness, long messageRowId)
    {
        await using var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.DeliveryAttempts.Where(a => a.MessageRowId == messageRowId).ToListAsync();
    }

    private static async Task<List<AuditEntry>> AuditAsync(DeliveryHarness harness)
    {
        await using var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.AuditLog.OrderBy(e => e.Id).ToListAsync();
    }
}
