using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>
/// The unchanged-identify skip (design §10, <c>Delivery:SkipUnchangedHours</c>) end to end, on each
/// storage provider: an identify or group that would set nothing new in Userlist is Skipped with the
/// call it repeats, and every call that could change anything still reaches the fake Userlist.
/// </summary>
public abstract class UnchangedSkipDeliveryTests(StorageKind storage)
{
    public sealed class OnSqlite() : UnchangedSkipDeliveryTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : UnchangedSkipDeliveryTests(StorageKind.Postgres);

    private const string Operator = "ops@example.com";

    [SkippableFact]
    public async Task IdenticalIdentifyTwice_SecondIsSkippedNamingTheFirst_AChangedTraitIsSent()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);

        var first = await DeliverAsync(harness, "i1", """{"email":"ada@example.com","plan":"free"}""", MessageStatus.Delivered);
        var repeat = await DeliverAsync(harness, "i2", """{"email":"ada@example.com","plan":"free"}""", MessageStatus.Skipped);
        var changed = await DeliverAsync(harness, "i3", """{"email":"ada@example.com","plan":"pro"}""", MessageStatus.Delivered);
        var subset = await DeliverAsync(harness, "i4", """{"plan":"pro"}""", MessageStatus.Skipped);

        Assert.StartsWith($"unchanged since call #{first.Id} delivered at ", repeat.StatusReason);
        Assert.StartsWith($"unchanged since call #{changed.Id} delivered at ", subset.StatusReason);
        Assert.Equal(
            [
                """{"identifier":"ada","email":"ada@example.com","properties":{"plan":"free"}}""",
                """{"identifier":"ada","email":"ada@example.com","properties":{"plan":"pro"}}""",
            ],
            harness.Userlist.Requests.Select(r => r.Body));
        Assert.Empty(await harness.AttemptsAsync("i2"));
    }

    [SkippableFact]
    public async Task SameIdentifyAcrossTheWindow_SkippedWithinIt_SentOnceItHasPassed_ASkipDoesNotExtendIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await DeliveryHarness.StartAsync(storage, time: clock);
        const string Traits = """{"plan":"pro"}""";

        await DeliverAsync(harness, "i1", Traits, MessageStatus.Delivered);
        clock.Advance(TimeSpan.FromHours(23));
        await DeliverAsync(harness, "i2", Traits, MessageStatus.Skipped);
        clock.Advance(TimeSpan.FromHours(2));
        await DeliverAsync(harness, "i3", Traits, MessageStatus.Delivered);

        Assert.Equal(2, harness.Userlist.Requests.Count);
    }

    [SkippableFact]
    public async Task ManualRetryOfASkippedCall_IsSent()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await DeliverAsync(harness, "i1", """{"plan":"pro"}""", MessageStatus.Delivered);
        var skipped = await DeliverAsync(harness, "i2", """{"plan":"pro"}""", MessageStatus.Skipped);

        Assert.True(await harness.Relay.Services.GetRequiredService<RetryService>().RetryAsync(skipped.Id, Operator, CancellationToken.None));
        await harness.UntilStatusAsync("i2", MessageStatus.Delivered);

        Assert.Equal(2, harness.Userlist.Requests.Count);
        Assert.Equal(202, Assert.Single(await harness.AttemptsAsync("i2")).StatusCode);
    }

    [SkippableFact]
    public async Task SettingZero_SendsEveryCall_AsBefore()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, settings: new() { ["Delivery:SkipUnchangedHours"] = "0" });

        foreach (var id in (string[])["i1", "i2", "i3"])
        {
            await DeliverAsync(harness, id, """{"plan":"pro"}""", MessageStatus.Delivered);
        }

        Assert.Equal(3, harness.Userlist.Requests.Count);
        Assert.All(await harness.Relay.MessagesAsync(), m => Assert.Null(m.StatusReason));
    }

    [SkippableFact]
    public async Task BacklogOfIdentifiesThatChangeNothing_AllSkippedInOneStep_NoRequest()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        var first = await DeliverAsync(harness, "i1", """{"plan":"pro","seats":3}""", MessageStatus.Delivered);
        var delivery = harness.Relay.Services.GetRequiredService<DeliverySettings>();
        await delivery.PauseAsync(Operator, CancellationToken.None);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"ada","messageId":"i2","traits":{"plan":"pro"}},
              {"type":"identify","userId":"ada","messageId":"i3","traits":{"seats":3}}]}
            """);

        await delivery.UnpauseAsync(Operator, CancellationToken.None);
        await harness.UntilStatusAsync("i2", MessageStatus.Skipped);
        await harness.UntilStatusAsync("i3", MessageStatus.Skipped);

        Assert.Single(harness.Userlist.Requests);
        Assert.StartsWith($"unchanged since call #{first.Id} ", (await harness.MessageAsync("i3")).StatusReason);
    }

    [SkippableFact]
    public async Task RefusedRequest_LeavesWhatWasDeliveredKnown_AFailedOneLeavesItUnknown()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request => Task.FromResult(
            request.Body.Contains("\"pro\"", StringComparison.Ordinal) ? new FakeUserlist.Scripted(422, """{"errors":["Plan pro is not allowed"]}""")
            : request.Body.Contains("\"gold\"", StringComparison.Ordinal) ? new FakeUserlist.Scripted(503)
            : null), settings: new() { ["Delivery:MaxAttempts"] = "1" });

        await DeliverAsync(harness, "free", """{"plan":"free"}""", MessageStatus.Delivered);
        await DeliverAsync(harness, "pro", """{"plan":"pro"}""", MessageStatus.Rejected);
        // Userlist refused "pro": it still holds "free".
        await DeliverAsync(harness, "free-again", """{"plan":"free"}""", MessageStatus.Skipped);
        await DeliverAsync(harness, "gold", """{"plan":"gold"}""", MessageStatus.Failed);
        // A 503 may have been applied or not: "free" is sent again, to be sure.
        await DeliverAsync(harness, "free-after-failure", """{"plan":"free"}""", MessageStatus.Delivered);

        Assert.Equal(["free", "pro", "gold", "free"], harness.Userlist.Requests.Select(r => r.Body[(r.Body.IndexOf("\"plan\":\"", StringComparison.Ordinal) + 8)..].Split('"')[0]));
    }

    [SkippableFact]
    public async Task GroupCallsOfTwoUsersForOneCompany_RelationshipsAndTraitsCompareAcrossUsers()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, pushKey: null);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"group","userId":"u1","groupId":"acme","messageId":"g1","traits":{"name":"Acme","plan":"gold"}},
              {"type":"group","userId":"u2","groupId":"acme","messageId":"g2","traits":{"name":"Acme","plan":"gold"}}]}
            """);
        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, Operator, CancellationToken.None);
        await harness.UntilStatusAsync("g1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("g2", MessageStatus.Delivered);
        // Each brought a new relationship; whichever reached Userlist last is the one a repeat names.
        var last = await harness.MessageAsync(harness.Userlist.Requests[^1].Body.Contains("\"u1\"", StringComparison.Ordinal) ? "g1" : "g2");

        await SendGroupAsync(harness, "u1", "g3", """{"name":"Acme","plan":"gold"}""", MessageStatus.Skipped);
        await SendGroupAsync(harness, "u2", "g4", """{"plan":"silver"}""", MessageStatus.Delivered);
        await SendGroupAsync(harness, "u1", "g5", """{"plan":"gold"}""", MessageStatus.Delivered);
        await SendGroupAsync(harness, "u2", "g6", """{"name":"Acme","plan":"gold"}""", MessageStatus.Skipped);

        Assert.StartsWith($"unchanged since call #{last.Id} ", (await harness.MessageAsync("g3")).StatusReason);
        Assert.StartsWith($"unchanged since call #{(await harness.MessageAsync("g5")).Id} ", (await harness.MessageAsync("g6")).StatusReason);
        Assert.Equal(4, harness.Userlist.Requests.Count);
    }

    [SkippableFact]
    public async Task UserDeletedInUserlist_TheSameIdentifyIsSentAgain()
    {
        const string Secret = "whsec_unchanged";
        await using var harness = await DeliveryHarness.StartAsync(storage, settings: new() { ["Ingest:WebhookSecret"] = Secret });
        await DeliverAsync(harness, "i1", """{"plan":"pro"}""", MessageStatus.Delivered);
        const string Delete = """{"type":"delete","userId":"ada","messageId":"deleted"}""";
        using var webhook = new HttpRequestMessage(HttpMethod.Post, "/segment/webhook") { Content = new StringContent(Delete, new UTF8Encoding(false), "application/json") };
        webhook.Headers.Add("X-Signature", WebhookSignature.Compute(Secret, Encoding.UTF8.GetBytes(Delete)));
        await (await harness.Client.SendAsync(webhook)).AssertSuccessAsync();
        await harness.UntilStatusAsync("deleted", MessageStatus.Delivered);

        await DeliverAsync(harness, "i2", """{"plan":"pro"}""", MessageStatus.Delivered);

        Assert.Equal(["POST /users", "DELETE /users", "POST /users"], harness.Userlist.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    /// <summary>Sends an identify of user <c>ada</c> and waits for it to reach <paramref name="status"/>.</summary>
    private static async Task<Message> DeliverAsync(DeliveryHarness harness, string messageId, string traits, MessageStatus status)
    {
        await harness.SendAsync("/v1/identify", $$"""{"userId":"ada","messageId":"{{messageId}}","traits":{{traits}}}""");
        await harness.UntilStatusAsync(messageId, status);
        return await harness.MessageAsync(messageId);
    }

    private static async Task SendGroupAsync(DeliveryHarness harness, string userId, string messageId, string traits, MessageStatus status)
    {
        await harness.SendAsync("/v1/group", $$"""{"userId":"{{userId}}","groupId":"acme","messageId":"{{messageId}}","traits":{{traits}}}""");
        await harness.UntilStatusAsync(messageId, status);
    }
}
