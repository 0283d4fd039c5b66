using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

/// <summary>Calls ingested by the relay reach a fake Userlist exactly as specified, with the delivery policy's guarantees.</summary>
public abstract class ForwardingTests(StorageKind storage)
{
    public sealed class OnSqlite() : ForwardingTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : ForwardingTests(StorageKind.Postgres);

    [SkippableTheory]
    [InlineData("/v1/identify", """{"userId":"userId123","messageId":"e2e-identify","traits":{"email":"john.doe@example.com","name":"John Doe","role":"Owner","createdAt":"2019-03-21T12:12:54.735+01:00"}}""",
        "POST", "/users", """{"identifier":"userId123","email":"john.doe@example.com","signed_up_at":"2019-03-21T12:12:54.735+01:00","properties":{"name":"John Doe","role":"Owner"}}""")]
    [InlineData("/v1/track", """{"userId":"userId123","messageId":"e2e-track","event":"Project created","properties":{"projectName":"Party Planning"},"context":{"groupId":"companyId123"},"timestamp":"2019-03-21T12:15:00.000Z"}""",
        "POST", "/events", """{"name":"Project created","user":"userId123","company":"companyId123","occurred_at":"2019-03-21T12:15:00.000Z","properties":{"projectName":"Party Planning"}}""")]
    [InlineData("/v1/group", """{"userId":"userId123","groupId":"companyId123","messageId":"e2e-group","traits":{"name":"Segment","industry":"Software"},"integrations":{"Userlist":{"extensions":{"relationship":{"properties":{"role":"owner"}}}}}}""",
        "POST", "/companies", """{"identifier":"companyId123","name":"Segment","properties":{"industry":"Software"},"relationships":[{"user":"userId123","properties":{"role":"owner"}}]}""")]
    public async Task IngestedCall_ReachesUserlistAsTheExactRequest(string path, string call, string method, string userlistPath, string body)
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        var messageId = JsonDocument.Parse(call).RootElement.GetProperty("messageId").GetString()!;

        await harness.SendAsync(path, call);
        await harness.UntilStatusAsync(messageId, MessageStatus.Delivered);

        var request = Assert.Single(harness.Userlist.Requests);
        Assert.Equal((method, userlistPath, body), (request.Method, request.Path, request.Body));
        Assert.Equal("Push " + DeliveryHarness.PushKey, request.Authorization);
        Assert.Equal("application/json", request.Accept);
        Assert.Equal("application/json; charset=UTF-8", request.ContentType);
        var attempt = Assert.Single(await harness.AttemptsAsync(messageId));
        Assert.Equal((202, body, "Delivered"), (attempt.StatusCode, attempt.RequestBody, attempt.Outcome));
        Assert.DoesNotContain(DeliveryHarness.PushKey, attempt.RequestBody + attempt.ResponseBody, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Unavailable503ThreeTimes_ThenAccepted_IsDeliveredOnceAfterFourAttempts()
    {
        var answered = 0;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult(Interlocked.Increment(ref answered) <= 3 ? new FakeUserlist.Scripted(503) : null));

        await harness.SendAsync("/v1/track", """{"userId":"u","event":"E","messageId":"flaky"}""");
        await harness.UntilStatusAsync("flaky", MessageStatus.Delivered);

        Assert.Equal([503, 503, 503, 202], harness.Userlist.Requests.Select(r => r.AnsweredStatus));
        var attempts = await harness.AttemptsAsync("flaky");
        Assert.Equal(["Transient", "Transient", "Transient", "Delivered"], attempts.Select(a => a.Outcome));
        Assert.Equal(4, (await harness.MessageAsync("flaky")).AttemptCount);
    }

    [SkippableFact]
    public async Task RateLimited429WithRetryAfter_WaitsThatLongThenDelivers()
    {
        var answered = 0;
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult(Interlocked.Increment(ref answered) == 1 ? new FakeUserlist.Scripted(429, RetryAfterSeconds: 1) : null));

        await harness.SendAsync("/v1/track", """{"userId":"u","event":"E","messageId":"limited"}""");
        await harness.UntilStatusAsync("limited", MessageStatus.Delivered);

        var requests = harness.Userlist.Requests;
        Assert.Equal([429, 202], requests.Select(r => r.AnsweredStatus));
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromSeconds(0.95),
            $"retried after {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds} ms, before Retry-After");
        // The 429 did not count against the retry policy; the delivery did.
        Assert.Equal(1, (await harness.MessageAsync("limited")).AttemptCount);
    }

    [SkippableFact]
    public async Task Unprocessable422_IsRejectedWithUserlistsReasonAndNotRetried()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ =>
            Task.FromResult<FakeUserlist.Scripted?>(new(422, """{"status":422,"code":"unprocessable_content","errors":["User must exist"]}""")));

        await harness.SendAsync("/v1/group", """{"userId":"u","groupId":"g","messageId":"refused"}""");
        await harness.UntilStatusAsync("refused", MessageStatus.Rejected);

        Assert.Single(harness.Userlist.Requests);
        Assert.Equal("Userlist answered 422: User must exist", (await harness.MessageAsync("refused")).StatusReason);
    }

    [SkippableFact]
    public async Task Timeout_IsRetriedAndThenDelivered()
    {
        var answered = 0;
        await using var harness = await DeliveryHarness.StartAsync(storage,
            u => u.Script = _ => Task.FromResult(Interlocked.Increment(ref answered) == 1 ? new FakeUserlist.Scripted(202, Delay: TimeSpan.FromSeconds(2)) : null),
            new() { ["Userlist:TimeoutSeconds"] = "0.3" });

        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"slow"}""");
        await harness.UntilStatusAsync("slow", MessageStatus.Delivered);

        var attempts = await harness.AttemptsAsync("slow");
        Assert.Equal(["Transient", "Delivered"], attempts.Select(a => a.Outcome));
        Assert.Null(attempts[0].StatusCode);
        Assert.Contains("No answer within 0.3 s", attempts[0].Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Unauthorized401_PausesDeliveryWithoutBurningCalls_UntilTheKeyChanges()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Authorization == "Push new-key" ? null : new FakeUserlist.Scripted(401)));

        await harness.SendAsync("/v1/batch", """{"batch":[{"type":"identify","userId":"a","messageId":"k1"},{"type":"identify","userId":"b","messageId":"k2"},{"type":"identify","userId":"c","messageId":"k3"}]}""");
        var dispatcher = harness.Relay.Services.GetRequiredService<DeliveryDispatcher>();
        await Eventually.HoldsAsync(() => Task.FromResult(dispatcher.Block == DeliveryBlock.KeyRefused), "delivery is paused");
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Pending),
            "the calls in flight when the key was refused are back to Pending");

        var stored = await harness.Relay.MessagesAsync();
        Assert.All(stored, m => Assert.Equal(MessageStatus.Pending, m.Status));
        Assert.All(stored, m => Assert.Equal(0, m.AttemptCount));
        var refusedRequests = harness.Userlist.Requests.Count;
        Assert.InRange(refusedRequests, 1, 3);

        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync("new-key", "ops@example.com", CancellationToken.None);

        foreach (var id in (string[])["k1", "k2", "k3"])
        {
            await harness.UntilStatusAsync(id, MessageStatus.Delivered);
        }

        Assert.Equal(3, harness.Userlist.Requests.Count(r => r.AnsweredStatus == 202));
    }

    [SkippableFact]
    public async Task NoPushKey_CallsAreStoredAndWait_NothingIsSent()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);

        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"waiting"}""");
        var dispatcher = harness.Relay.Services.GetRequiredService<DeliveryDispatcher>();
        await dispatcher.DispatchOnceAsync(CancellationToken.None);

        Assert.Equal(DeliveryBlock.NoPushKey, dispatcher.Block);
        Assert.Equal(MessageStatus.Pending, (await harness.MessageAsync("waiting")).Status);
        Assert.Empty(harness.Userlist.Requests);
    }

    [SkippableFact]
    public async Task DispatchRunTwiceAtOnce_SendsEachCallOnce()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Latency = TimeSpan.FromMilliseconds(50), pushKey: null);
        var calls = string.Join(',', Enumerable.Range(0, 40).Select(i => $$"""{"type":"identify","userId":"user-{{i % 10}}","messageId":"twice-{{i}}"}"""));
        await harness.SendAsync("/v1/batch", $$"""{"batch":[{{calls}}]}""");
        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, "ops@example.com", CancellationToken.None);
        var dispatcher = harness.Relay.Services.GetRequiredService<DeliveryDispatcher>();

        while ((await harness.Relay.MessagesAsync()).Any(m => m.Status is not (MessageStatus.Delivered or MessageStatus.Skipped)))
        {
            await Task.WhenAll(dispatcher.DispatchOnceAsync(CancellationToken.None), dispatcher.DispatchOnceAsync(CancellationToken.None));
        }

        // Each call went in exactly one request (coalescing may have merged a user's calls into one),
        // or none when it repeated what its user already had (Skipped as unchanged), and every
        // request Userlist got is one the relay recorded: one per user, as the calls carry nothing else.
        var requests = new HashSet<string>();
        foreach (var i in Enumerable.Range(0, 40))
        {
            var attempts = await harness.AttemptsAsync($"twice-{i}");
            if ((await harness.MessageAsync($"twice-{i}")).Status == MessageStatus.Skipped)
            {
                Assert.Empty(attempts);
                continue;
            }

            var attempt = Assert.Single(attempts);
            requests.Add(attempt.RequestId ?? $"#{attempt.Id}");
        }

        Assert.Equal(requests.Count, harness.Userlist.Requests.Count);
        Assert.Equal(10, harness.Userlist.Requests.Count);
    }
}
