using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Dashboard;

/// <summary>
/// The overview's figures for today's requests and the calls waiting for an identity, from calls the
/// running relay delivered to a fake Userlist, on each storage provider.
/// </summary>
public abstract class OverviewFiguresTests(StorageKind storage)
{
    public sealed class OnSqlite() : OverviewFiguresTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : OverviewFiguresTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task MergedBacklogAndAnUnchangedIdentify_RequestsSentAreUserlistsAndTheRestAreSaved()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"alice","messageId":"a1","traits":{"plan":"free"}},
              {"type":"page","userId":"alice","name":"Pricing","messageId":"a2"},
              {"type":"identify","userId":"alice","messageId":"a3","traits":{"plan":"pro"}},
              {"type":"identify","userId":"alice","messageId":"a4","traits":{"seats":3}},
              {"type":"identify","userId":"bob","messageId":"b1","traits":{"plan":"free"}}]}
            """);
        await harness.SetPushKeyAsync();
        foreach (var id in (string[])["a1", "a3", "a4", "b1"])
        {
            await harness.UntilStatusAsync(id, MessageStatus.Delivered);
        }

        await harness.SendAsync("/v1/identify", """{"userId":"bob","messageId":"b2","traits":{"plan":"free"}}""");
        await harness.UntilStatusAsync("b2", MessageStatus.Skipped);

        var today = await TodayAsync(harness);
        Assert.Equal(harness.Userlist.Requests.Count, today.Sent);
        Assert.Equal(new RequestsToday(Sent: 2, Merged: 2, Unchanged: 1), today);
        Assert.Equal(3, today.Saved);
    }

    [SkippableFact]
    public async Task MergedRequestRefused_EveryRequestMadeCountsAndNothingIsSaved()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Body.Contains("\"bad\"", StringComparison.Ordinal)
                ? new FakeUserlist.Scripted(422, """{"status":422,"errors":["Properties bad is not allowed"]}""")
                : null), pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"u","messageId":"ok1","traits":{"plan":"pro"}},
              {"type":"identify","userId":"u","messageId":"bad","traits":{"bad":true}},
              {"type":"identify","userId":"u","messageId":"ok2","traits":{"seats":3}}]}
            """);
        await harness.SetPushKeyAsync();
        await harness.UntilStatusAsync("ok1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("bad", MessageStatus.Rejected);
        await harness.UntilStatusAsync("ok2", MessageStatus.Delivered);

        var today = await TodayAsync(harness);

        Assert.Equal(4, harness.Userlist.Requests.Count);
        Assert.Equal(new RequestsToday(Sent: 4, Merged: 0, Unchanged: 0), today);
    }

    [SkippableFact]
    public async Task RequestsToday_StartAgainAtMidnightUtc()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(now);
        await using var harness = await DeliveryHarness.StartAsync(storage, time: clock);
        await harness.SendAsync("/v1/identify", """{"userId":"ada","messageId":"i1","traits":{"plan":"pro"}}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);
        Assert.Equal(new RequestsToday(1, 0, 0), await TodayAsync(harness));

        clock.Advance(now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime);

        Assert.Equal(new RequestsToday(0, 0, 0), await TodayAsync(harness));
    }

    [SkippableFact]
    public async Task CallsWaitingForAnIdentity_TheOldestIsTheFirstReceived()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        var statistics = relay.Services.GetRequiredService<MessageStatistics>();
        Assert.Null(await statistics.OldestWaitingForIdentityAsync(CancellationToken.None));
        var first = DateTime.UtcNow.AddHours(-3);
        await using (var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            db.Messages.AddRange(
                Anonymous("w1", first, MessageStatus.Waiting),
                Anonymous("r1", first.AddMinutes(-30), MessageStatus.Rejected),
                Anonymous("w2", first.AddHours(1), MessageStatus.Waiting));
            await db.SaveChangesAsync();
        }

        var oldest = await statistics.OldestWaitingForIdentityAsync(CancellationToken.None);
        var counts = await statistics.CountByStatusAsync(CancellationToken.None);

        Assert.Equal(first, oldest!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, counts[MessageStatus.Waiting]);
    }

    private static Message Anonymous(string messageId, DateTime receivedAt, MessageStatus status) => new()
    {
        SourceId = "config-test",
        MessageId = messageId,
        Type = "track",
        AnonymousId = $"anon-{messageId}",
        Event = "Viewed Pricing",
        ReceivedAt = receivedAt,
        Timestamp = receivedAt,
        Status = status,
        Payload = $$"""{"type":"track","anonymousId":"anon-{{messageId}}","event":"Viewed Pricing","messageId":"{{messageId}}"}""",
    };

    private static Task<RequestsToday> TodayAsync(DeliveryHarness harness) =>
        harness.Relay.Services.GetRequiredService<MessageStatistics>().RequestsTodayAsync(CancellationToken.None);

}
