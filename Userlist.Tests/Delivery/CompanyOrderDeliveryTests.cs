using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Group calls of different users for one company reach Userlist in the order received, on each
/// storage provider, so the company ends as sending each call alone, in order, would leave it
/// (design §10's proof). Each test stores its calls while no Push API key is set, then sets one:
/// the backlog is due at once, in one pass, with coalescing on.
/// </summary>
public abstract class CompanyOrderDeliveryTests(StorageKind storage)
{
    public sealed class OnSqlite() : CompanyOrderDeliveryTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : CompanyOrderDeliveryTests(StorageKind.Postgres);

    /// <summary>Users a and b in turns for acme: a1, b1, a2, b2, each setting a different trait last.</summary>
    private const string Interleaved = """
        {"batch":[
          {"type":"group","userId":"a","groupId":"acme","messageId":"a1","traits":{"name":"Acme","plan":"a1","seats":1}},
          {"type":"group","userId":"b","groupId":"acme","messageId":"b1","traits":{"plan":"b1","owner":"b"}},
          {"type":"group","userId":"a","groupId":"acme","messageId":"a2","traits":{"plan":"a2"}},
          {"type":"group","userId":"b","groupId":"acme","messageId":"b2","traits":{"seats":4}}]}
        """;

    /// <summary>What a1, b1, a2, b2 sent one by one, in order, leave of acme in Userlist.</summary>
    private const string InterleavedEndState = "name=Acme owner=b plan=a2 seats=4 users=a,b";

    [SkippableFact]
    public async Task TwoUsersGroupCallsForOneCompanyInterleaved_CompanyEndsAsOneRequestPerCallInOrder()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);
        await harness.SendAsync("/v1/batch", Interleaved);

        await SetKeyAsync(harness);
        await UntilAllDeliveredAsync(harness);

        Assert.Equal(InterleavedEndState, CompanyEndState(harness.Userlist, "acme"));
    }

    /// <summary>
    /// b1 is answered 500 once: a2 must wait for its retry, between passes too. The clock is frozen
    /// until the test moves it past the retry, so a pass in between finds b1 Retrying, not yet due.
    /// </summary>
    [SkippableFact]
    public async Task AnEarlierGroupCallOfAnotherUserRetrying_LaterOnesForTheCompanyWaitForIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartFailingOnceAsync("\"owner\"", clock);
        await harness.SendAsync("/v1/batch", Interleaved);

        await SetKeyAsync(harness);
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).Select(m => (m.MessageId, m.Status)).SequenceEqual(
            [("a1", MessageStatus.Delivered), ("b1", MessageStatus.Retrying), ("a2", MessageStatus.Pending), ("b2", MessageStatus.Pending)]),
            "b1 waits to be retried and the pass has returned a2 and b2");
        await AssertNotSentWhileWaitingAsync(harness, "a2");
        await RetryDueAsync(harness, clock, "b1");

        Assert.Equal(InterleavedEndState, CompanyEndState(harness.Userlist, "acme"));
        Assert.Equal([202, 500, 202, 202, 202], harness.Userlist.Arrivals.Select(r => r.AnsweredStatus));
    }

    /// <summary>
    /// a1 waits for b1's retry (same company); a's later group call for another company must wait
    /// with a1, or a's calls would reach Userlist out of order.
    /// </summary>
    [SkippableFact]
    public async Task AGroupCallWaitingForItsCompany_HoldsItsUsersLaterCallsToo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await StartFailingOnceAsync("\"b1\"", clock);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"group","userId":"b","groupId":"acme","messageId":"b1","traits":{"by":"b1"}},
              {"type":"group","userId":"a","groupId":"acme","messageId":"a1","traits":{"by":"a1"}},
              {"type":"group","userId":"a","groupId":"globex","messageId":"a2","traits":{"by":"a2"}}]}
            """);

        await SetKeyAsync(harness);
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).Select(m => (m.MessageId, m.Status)).SequenceEqual(
            [("b1", MessageStatus.Retrying), ("a1", MessageStatus.Pending), ("a2", MessageStatus.Pending)]),
            "b1 waits to be retried and the pass has returned a1 and a2");
        await AssertNotSentWhileWaitingAsync(harness, "a2");
        await RetryDueAsync(harness, clock, "b1");

        Assert.Equal(["b1", "b1", "a1", "a2"], harness.Userlist.Arrivals.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("properties").GetProperty("by").GetString()));
    }

    /// <summary>
    /// Users y and z come first in the pass but wait for x's earlier call for acme: with one or two
    /// chains at a time, waiting chains must not hold every place while x's has not started.
    /// </summary>
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ChainsWaitingForACompanysEarlierCallOfAChainNotYetStarted_DoNotHoldItUp(int concurrency)
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, settings: new() { ["Delivery:Concurrency"] = $"{concurrency}" }, pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"group","userId":"y","groupId":"globex","messageId":"y1","traits":{"name":"Globex","by":"y"}},
              {"type":"identify","userId":"z","messageId":"z2","traits":{"plan":"pro"}},
              {"type":"group","userId":"x","groupId":"acme","messageId":"x3","traits":{"name":"Acme","by":"x"}},
              {"type":"group","userId":"y","groupId":"acme","messageId":"y4","traits":{"by":"y"}},
              {"type":"group","userId":"z","groupId":"acme","messageId":"z5","traits":{"by":"z","seats":5}},
              {"type":"group","userId":"x","groupId":"globex","messageId":"x6","traits":{"by":"x"}}]}
            """);

        await SetKeyAsync(harness);
        await UntilAllDeliveredAsync(harness);

        Assert.Equal("by=z name=Acme seats=5 users=x,y,z", CompanyEndState(harness.Userlist, "acme"));
        Assert.Equal("by=x name=Globex users=y,x", CompanyEndState(harness.Userlist, "globex"));
    }

    /// <summary>A harness on a frozen clock whose fake Userlist answers 500 to the first request containing <paramref name="marker"/>.</summary>
    private Task<DeliveryHarness> StartFailingOnceAsync(string marker, FakeTimeProvider clock)
    {
        var failed = 0;
        return DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Body.Contains(marker, StringComparison.Ordinal) && Interlocked.Exchange(ref failed, 1) == 0
                ? new FakeUserlist.Scripted(500)
                : null),
            settings: new() { ["Userlist:RequestsPerMinute"] = "1000000" }, pushKey: null, time: clock);
    }

    /// <summary>A pass runs (the job's own may run beside it, holding the call claimed a moment), and the call is not sent.</summary>
    private static async Task AssertNotSentWhileWaitingAsync(DeliveryHarness harness, string messageId)
    {
        await harness.Relay.Services.GetRequiredService<DeliveryDispatcher>().DispatchOnceAsync(CancellationToken.None);
        Assert.NotEqual(MessageStatus.Delivered, (await harness.MessageAsync(messageId)).Status);
        Assert.Empty(await harness.AttemptsAsync(messageId));
    }

    /// <summary>Moves the clock past the call's retry and lets delivery finish.</summary>
    private static async Task RetryDueAsync(DeliveryHarness harness, FakeTimeProvider clock, string messageId)
    {
        var retry = (await harness.MessageAsync(messageId)).NextAttemptAt!.Value;
        clock.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(retry, DateTimeKind.Utc)).AddMilliseconds(1));
        harness.Relay.Services.GetRequiredService<DispatchSignal>().Nudge();
        await UntilAllDeliveredAsync(harness);
    }

    private static Task SetKeyAsync(DeliveryHarness harness) =>
        harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, "ops@example.com", CancellationToken.None);

    private static Task UntilAllDeliveredAsync(DeliveryHarness harness) =>
        Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "all are delivered");

    /// <summary>
    /// A company as Userlist keeps it after the accepted requests, in the order they arrived: upserts
    /// whose fields and properties merge key by key (absent keys unchanged), relationships by user.
    /// Written as <c>key=value</c> in key order, the related users in the order they first came.
    /// </summary>
    private static string CompanyEndState(FakeUserlist userlist, string identifier)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var users = new List<string>();
        foreach (var request in userlist.Arrivals.Where(r => r.Path == "/companies" && r.AnsweredStatus is >= 200 and < 300))
        {
            using var body = JsonDocument.Parse(request.Body);
            if (body.RootElement.GetProperty("identifier").GetString() != identifier)
            {
                continue;
            }

            foreach (var field in body.RootElement.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "identifier":
                        break;
                    case "properties":
                        foreach (var property in field.Value.EnumerateObject())
                        {
                            fields[property.Name] = property.Value.ToString();
                        }

                        break;
                    case "relationships":
                        users.AddRange(field.Value.EnumerateArray().Select(r => r.GetProperty("user").GetString()!).Where(user => !users.Contains(user)));
                        break;
                    default:
                        fields[field.Name] = field.Value.ToString();
                        break;
                }
            }
        }

        return string.Join(' ', fields.Select(f => $"{f.Key}={f.Value}").Append($"users={string.Join(',', users)}"));
    }
}
