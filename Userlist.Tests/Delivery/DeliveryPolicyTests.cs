using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>Per-user order, the rate limit and retries, on each storage provider.</summary>
public abstract class DeliveryPolicyTests(StorageKind storage)
{
    public sealed class OnSqlite() : DeliveryPolicyTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : DeliveryPolicyTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task FailingFirstCallOfAUser_HoldsThatUsersLaterCalls_OtherUsersFlowOn()
    {
        var answered = 0;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Body.Contains("\"alice\"", StringComparison.Ordinal) && Interlocked.Increment(ref answered) <= 2
                ? new FakeUserlist.Scripted(503)
                : null));

        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"alice","messageId":"a1"},
              {"type":"track","userId":"alice","event":"Second","messageId":"a2"},
              {"type":"track","userId":"bob","event":"Only","messageId":"b1"},
              {"type":"track","userId":"alice","event":"Third","messageId":"a3"}]}
            """);
        foreach (var id in (string[])["a1", "a2", "a3", "b1"])
        {
            await harness.UntilStatusAsync(id, MessageStatus.Delivered);
        }

        var delivered = harness.Userlist.Requests.Where(r => r.AnsweredStatus == 202).ToList();
        var alice = delivered.Where(r => r.Body.Contains("\"alice\"", StringComparison.Ordinal))
            .Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement)
            .Select(body => body.TryGetProperty("name", out var name) ? name.GetString() : "identify");
        Assert.Equal(["identify", "Second", "Third"], alice);
        // Bob's call did not wait for Alice's retries.
        var bob = delivered.Single(r => r.Body.Contains("\"bob\"", StringComparison.Ordinal));
        Assert.True(bob.ReceivedAt < delivered.First(r => r.Body.Contains("\"alice\"", StringComparison.Ordinal)).ReceivedAt);
        // Alice's later calls were never sent while her first one was failing.
        var firstAliceSuccess = delivered.First(r => r.Body.Contains("\"alice\"", StringComparison.Ordinal)).ReceivedAt;
        Assert.DoesNotContain(harness.Userlist.Requests, r => r.Path == "/events" && r.Body.Contains("\"alice\"", StringComparison.Ordinal) && r.ReceivedAt < firstAliceSuccess);
    }

    [SkippableFact]
    public async Task RateLimit_IsHeld_NoRequestIsRefusedForGoingTooFast()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage,
            u => u.RequestsPerMinute = 300,
            new() { ["Userlist:RequestsPerMinute"] = "300" });
        var calls = string.Join(',', Enumerable.Range(0, 25).Select(i => $$"""{"type":"identify","userId":"user-{{i}}","messageId":"rate-{{i}}"}"""));

        await harness.SendAsync("/v1/batch", $$"""{"batch":[{{calls}}]}""");
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered),
            "all are delivered", TimeSpan.FromSeconds(30));

        var times = harness.Userlist.Requests.Select(r => r.ReceivedAt).Order().ToList();
        Assert.Equal(0, harness.Userlist.RateLimitedCount);
        // 300/min at the pacer's 98% is one request per 204 ms. Past the first few (the pacer may make
        // up half a second of idle time at the start), the 6th to the 25th are 19 such gaps apart,
        // less at most another half second made up if the machine stalled the dispatcher meanwhile.
        var steady = times[^1] - times[5];
        Assert.True(steady >= TimeSpan.FromSeconds((19 * 60.0 / (300 * 0.98)) - 0.5 - 0.05), $"the last 20 requests went out in {steady.TotalSeconds:0.00} s");
    }

    [SkippableFact]
    public async Task TransientFailuresOutlastingThePolicy_EndFailedWithTheReason_ThenABulkRetryDelivers()
    {
        var failing = true;
        await using var harness = await DeliveryHarness.StartAsync(storage,
            u => u.Script = _ => Task.FromResult(Volatile.Read(ref failing) ? new FakeUserlist.Scripted(500) : null),
            new() { ["Delivery:MaxAttempts"] = "3" });

        await harness.SendAsync("/v1/batch", """{"batch":[{"type":"identify","userId":"x","messageId":"f1"},{"type":"identify","userId":"y","messageId":"f2"}]}""");
        await harness.UntilStatusAsync("f1", MessageStatus.Failed);
        await harness.UntilStatusAsync("f2", MessageStatus.Failed);

        var failed = await harness.MessageAsync("f1");
        Assert.Equal("Gave up after 3 attempts: Userlist answered 500", failed.StatusReason);
        Assert.Equal(3, (await harness.AttemptsAsync("f1")).Count);

        Volatile.Write(ref failing, false);
        var retried = await harness.Relay.Services.GetRequiredService<RetryService>()
            .SendMatchingAgainAsync(SendAgain.Retry, new MessageFilter(Status: MessageStatus.Failed), "ops@example.com", null, null, CancellationToken.None);

        Assert.Equal(2, retried);
        await harness.UntilStatusAsync("f1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("f2", MessageStatus.Delivered);
        Assert.Equal(4, (await harness.AttemptsAsync("f1")).Count);
    }

    [SkippableFact]
    public async Task RetryOne_RejectedCall_IsMappedAgainAndSent()
    {
        var reject = true;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult(Volatile.Read(ref reject) ? new FakeUserlist.Scripted(422, """{"errors":["User must exist"]}""") : null));
        await harness.SendAsync("/v1/track", """{"userId":"u","event":"E","messageId":"again"}""");
        await harness.UntilStatusAsync("again", MessageStatus.Rejected);

        Volatile.Write(ref reject, false);
        var retry = harness.Relay.Services.GetRequiredService<RetryService>();
        Assert.True(await retry.RetryAsync((await harness.MessageAsync("again")).Id, "ops@example.com", CancellationToken.None));

        await harness.UntilStatusAsync("again", MessageStatus.Delivered);
        Assert.False(await retry.RetryAsync((await harness.MessageAsync("again")).Id, "ops@example.com", CancellationToken.None), "a delivered call is not retried");
    }

    [SkippableFact]
    public async Task ClaimOfARunThatIsGone_IsTakenAgainOnlyOnceItsLeaseHasLapsed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null, time: clock);
        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"abandoned"}""");
        // Claimed with the default five-minute lease by a pass that never finishes: a run that hangs,
        // not a crash (the next start returns a crashed run's claims at once, on taking the role,
        // so the claim is made after that).
        var role = harness.Relay.Services.GetRequiredService<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay is the dispatcher");
        var now = clock.GetUtcNow().UtcDateTime;
        Assert.Single(await harness.Relay.Services.GetRequiredService<ICallClaims>().ClaimAsync("hung", now, now.AddMinutes(5), 10, CancellationToken.None));
        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, "ops@example.com", CancellationToken.None);
        var dispatcher = harness.Relay.Services.GetRequiredService<DeliveryDispatcher>();

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal(MessageStatus.Delivering, (await harness.MessageAsync("abandoned")).Status);
        Assert.Empty(harness.Userlist.Requests);

        clock.Advance(TimeSpan.FromMinutes(1.5));
        await dispatcher.DispatchOnceAsync(CancellationToken.None);
        await harness.UntilStatusAsync("abandoned", MessageStatus.Delivered);
        Assert.Single(harness.Userlist.Requests);
    }

    [SkippableFact]
    public async Task CallWithAnAttemptHeldByARefusedKey_ReturnedToTheQueueByARestart_IsDeliveredNotStuck()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null, time: clock);
        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"held"}""");
        var role = harness.Relay.Services.GetRequiredService<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay is the dispatcher");
        // As a 401 leaves a call that had failed once before: Pending, one attempt counted, no time to retry at.
        await using (var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            await db.Messages.ExecuteUpdateAsync(m => m.SetProperty(x => x.AttemptCount, 1));
        }

        // Claimed by a pass that a kill cuts off, then returned to the queue at the next start.
        var now = clock.GetUtcNow().UtcDateTime;
        Assert.Single(await harness.Relay.Services.GetRequiredService<ICallClaims>().ClaimAsync("cut-off", now, now.AddMinutes(5), 10, CancellationToken.None));
        Assert.Equal(1, await harness.Relay.Services.GetRequiredService<OrphanedClaims>().ReturnAsync(CancellationToken.None));
        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, "ops@example.com", CancellationToken.None);

        await harness.Relay.Services.GetRequiredService<DeliveryDispatcher>().DispatchOnceAsync(CancellationToken.None);

        await harness.UntilStatusAsync("held", MessageStatus.Delivered);
    }

    [SkippableFact]
    public async Task RetrySchedule_DefaultPolicy_WaitsFrom10SecondsDoublingWithJitter_ThenFails()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var userlist = await FakeUserlist.StartAsync();
        userlist.Script = _ => Task.FromResult<FakeUserlist.Scripted?>(new(503));
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Time = clock };
        relay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/identify", """{"userId":"u","messageId":"schedule"}"""))).AssertSuccessAsync();
        await relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync("k", "ops@example.com", CancellationToken.None);
        var signal = relay.Services.GetRequiredService<DispatchSignal>();

        // The dispatch job runs on its own; the test moves the fake clock to each due time and wakes it.
        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            signal.Nudge();
            await Eventually.HoldsAsync(() => Task.FromResult(userlist.Requests.Count == attempt), $"attempt {attempt} is made");
            await Eventually.HoldsAsync(async () => Assert.Single(await relay.MessagesAsync()).Status is MessageStatus.Retrying or MessageStatus.Failed,
                $"attempt {attempt} is recorded");
            var call = Assert.Single(await relay.MessagesAsync());
            if (call.Status == MessageStatus.Failed)
            {
                Assert.Equal(8, attempt);
                break;
            }

            waits.Add(DateTime.SpecifyKind(call.NextAttemptAt!.Value, DateTimeKind.Utc) - clock.GetUtcNow().UtcDateTime);
            clock.Advance(waits[^1]);
        }

        Assert.Equal(MessageStatus.Failed, Assert.Single(await relay.MessagesAsync()).Status);
        Assert.Equal(7, waits.Count);
        for (var i = 0; i < waits.Count; i++)
        {
            var nominal = 10 * Math.Pow(2, i);
            Assert.InRange(waits[i].TotalSeconds, nominal * 0.8 - 0.01, nominal * 1.2 + 0.01);
        }

        Assert.Equal(8, userlist.Requests.Count);
    }
}
