using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Coalescing (design §10) end to end, on each storage provider: a backlog of a user's calls reaches
/// a fake Userlist as fewer requests, nothing is lost, order holds, and every call explains itself.
/// Each test stores its calls while no Push API key is set, then sets one: the backlog is due at once.
/// </summary>
public abstract class CoalescingDeliveryTests(StorageKind storage)
{
    public sealed class OnSqlite() : CoalescingDeliveryTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : CoalescingDeliveryTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task BacklogOfIdentifiesOfOneUser_GoesAsOneRequest_EveryCallDeliveredSharingIt()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"alice","messageId":"a1","traits":{"email":"old@example.com","plan":"free","seats":1}},
              {"type":"page","userId":"alice","name":"Pricing","messageId":"a2"},
              {"type":"identify","userId":"alice","messageId":"a3","traits":{"plan":"pro"}},
              {"type":"identify","userId":"bob","messageId":"b1","traits":{"plan":"free"}},
              {"type":"identify","userId":"alice","messageId":"a4","traits":{"email":"alice@example.com","seats":null}}]}
            """);

        await harness.SetPushKeyAsync();
        foreach (var id in (string[])["a1", "a3", "a4", "b1"])
        {
            await harness.UntilStatusAsync(id, MessageStatus.Delivered);
        }

        await harness.UntilStatusAsync("a2", MessageStatus.Skipped);
        var alice = Assert.Single(harness.Userlist.Requests, r => r.Body.Contains("\"alice\"", StringComparison.Ordinal));
        Assert.Equal(("/users", """{"identifier":"alice","email":"alice@example.com","properties":{"plan":"pro","seats":null}}"""), (alice.Path, alice.Body));
        Assert.Equal(2, harness.Userlist.Requests.Count);

        // One attempt each, the same request and answer, under one request id.
        var attempts = new List<DeliveryAttempt>();
        foreach (var id in (string[])["a1", "a3", "a4"])
        {
            attempts.Add(Assert.Single(await harness.AttemptsAsync(id)));
            Assert.Equal(1, (await harness.MessageAsync(id)).AttemptCount);
        }

        Assert.NotNull(attempts[0].RequestId);
        Assert.All(attempts, a => Assert.Equal((attempts[0].RequestId, alice.Body, 202, "Delivered"), (a.RequestId, a.RequestBody, a.StatusCode, a.Outcome)));
        Assert.Null(Assert.Single(await harness.AttemptsAsync("b1")).RequestId);
        Assert.Empty(await harness.AttemptsAsync("a2"));
    }

    [SkippableFact]
    public async Task MergedRequestRefused_ItsCallsAreSentOneByOne_EachGetsItsOwnAnswer()
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

        Assert.Equal(
            [
                (422, """{"identifier":"u","properties":{"plan":"pro","bad":true,"seats":3}}"""),
                (202, """{"identifier":"u","properties":{"plan":"pro"}}"""),
                (422, """{"identifier":"u","properties":{"bad":true}}"""),
                (202, """{"identifier":"u","properties":{"seats":3}}"""),
            ],
            harness.Userlist.Requests.Select(r => (r.AnsweredStatus, r.Body)));
        Assert.Equal("Userlist answered 422: Properties bad is not allowed", (await harness.MessageAsync("bad")).StatusReason);
        var first = await harness.AttemptsAsync("ok1");
        Assert.Equal([("Rejected", true), ("Delivered", false)], first.Select(a => (a.Outcome, a.RequestId is not null)));
        Assert.Equal([202], (await harness.AttemptsAsync("ok2")).Where(a => a.RequestId is null).Select(a => a.StatusCode ?? 0));
    }

    [SkippableFact]
    public async Task CoalesceOff_SendsOneRequestPerCall_InOrder()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, settings: new() { ["Delivery:Coalesce"] = "false" }, pushKey: null);
        await harness.SendAsync("/v1/batch", IdentifyBatch("u", 4));

        await harness.SetPushKeyAsync();
        await harness.UntilStatusAsync("u-4", MessageStatus.Delivered);

        Assert.Equal(["1", "2", "3", "4"], harness.Userlist.Requests.Select(r => Property(r.Body, "n")));
        Assert.All(await harness.Relay.MessagesAsync(), m => Assert.Equal(MessageStatus.Delivered, m.Status));
        Assert.Null((await harness.AttemptsAsync("u-2")).Single().RequestId);
    }

    [SkippableFact]
    public async Task PerUserOrder_RunsBreakAtEveryOtherRequest_EveryCallArrivesInTheOrderReceived()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"u","messageId":"1","traits":{"step":1}},
              {"type":"identify","userId":"u","messageId":"2","traits":{"step":2}},
              {"type":"track","userId":"u","event":"Signed Up","messageId":"3"},
              {"type":"group","userId":"u","groupId":"acme","messageId":"4","traits":{"name":"Acme"}},
              {"type":"group","userId":"u","groupId":"acme","messageId":"5","traits":{"plan":"gold"}},
              {"type":"group","userId":"u","groupId":"globex","messageId":"6","traits":{"name":"Globex"}},
              {"type":"identify","userId":"u","messageId":"7","traits":{"step":7}},
              {"type":"identify","userId":"u","messageId":"8","traits":{"step":8}}]}
            """);

        await harness.SetPushKeyAsync();
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "all are delivered");

        Assert.Equal(
            [
                """/users {"identifier":"u","properties":{"step":2}}""",
                """/events {"name":"Signed Up","user":"u","occurred_at":""",
                """/companies {"identifier":"acme","name":"Acme","properties":{"plan":"gold"},"relationships":[{"user":"u"}]}""",
                """/companies {"identifier":"globex","name":"Globex","properties":{},"relationships":[{"user":"u"}]}""",
                """/users {"identifier":"u","properties":{"step":8}}""",
            ],
            harness.Userlist.Requests.Select(r => r.Path == "/events" ? $"{r.Path} {r.Body[..r.Body.IndexOf("occurred_at", StringComparison.Ordinal)]}occurred_at\":" : $"{r.Path} {r.Body}"));
    }

    [SkippableFact]
    public async Task KeyRefusedOnAMergedRequest_HoldsEveryCallItCarried_ANewKeySendsThemTogether()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Authorization == "Push wrong-key" ? new FakeUserlist.Scripted(401) : null), pushKey: null);
        await harness.SendAsync("/v1/batch", IdentifyBatch("u", 3));

        var settings = harness.Relay.Services.GetRequiredService<DeliverySettings>();
        await settings.SavePushKeyAsync("wrong-key", "ops@example.com", CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(harness.Userlist.Requests.Count == 1), "the merged request is refused");
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Pending), "its calls wait as Pending");

        await harness.SetPushKeyAsync();
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "all are delivered");

        Assert.Equal([401, 202], harness.Userlist.Requests.Select(r => r.AnsweredStatus));
        Assert.Equal("3", Property(harness.Userlist.Requests[1].Body, "n"));
        Assert.Equal(["Unauthorized", "Delivered"], (await harness.AttemptsAsync("u-2")).Select(a => a.Outcome));
    }

    [SkippableFact]
    public async Task MergedRequestFailingForAWhile_LosesNothing_AndKeepsTheOrder()
    {
        var failures = 0;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult(Interlocked.Increment(ref failures) <= 2 ? new FakeUserlist.Scripted(503) : null), pushKey: null);
        await harness.SendAsync("/v1/batch", IdentifyBatch("u", 4));

        await harness.SetPushKeyAsync();
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "all are delivered");

        // Every request after the failures carries calls no earlier than the last delivered one: the last delivered body is the latest call's.
        var delivered = harness.Userlist.Requests.Where(r => r.AnsweredStatus == 202).ToList();
        Assert.Equal("4", Property(delivered[^1].Body, "n"));
        Assert.True(delivered.Count < 4, $"{delivered.Count} requests delivered four calls");
    }

    [SkippableFact]
    public async Task ManualRetry_IsSentOnItsOwn_NotMergedWithOtherCalls()
    {
        var refuse = true;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult(Volatile.Read(ref refuse) ? new FakeUserlist.Scripted(422, """{"errors":["User must exist"]}""") : null), pushKey: null);
        await harness.SendAsync("/v1/batch", IdentifyBatch("u", 2));
        await harness.SetPushKeyAsync();
        await harness.UntilStatusAsync("u-1", MessageStatus.Rejected);
        await harness.UntilStatusAsync("u-2", MessageStatus.Rejected);
        var before = harness.Userlist.Requests.Count;

        Volatile.Write(ref refuse, false);
        var ids = (await harness.Relay.MessagesAsync()).Select(m => m.Id).ToList();
        Assert.Equal(2, await harness.Relay.Services.GetRequiredService<RetryService>().RetrySelectedAsync(ids, "ops@example.com", CancellationToken.None));
        await harness.UntilStatusAsync("u-1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("u-2", MessageStatus.Delivered);

        Assert.Equal(["1", "2"], harness.Userlist.Requests.Skip(before).Select(r => Property(r.Body, "n")));
        Assert.Null((await harness.AttemptsAsync("u-2"))[^1].RequestId);
    }


    /// <summary>Identify calls of one user, messageIds <c>user-1</c>... with trait <c>n</c> set to their number.</summary>
    private static string IdentifyBatch(string userId, int count) =>
        $$"""{"batch":[{{string.Join(',', Enumerable.Range(1, count).Select(i => $$$"""{"type":"identify","userId":"{{{userId}}}","messageId":"{{{userId}}}-{{{i}}}","traits":{"n":"{{{i}}}"}}"""))}}]}""";

    private static string? Property(string body, string name) =>
        JsonDocument.Parse(body).RootElement.GetProperty("properties").GetProperty(name).GetString();
}
