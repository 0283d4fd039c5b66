using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Dashboard;

/// <summary>What operators change from the dashboard, seen from the running relay, on each storage provider.</summary>
public abstract class OperatorChangesTests(StorageKind storage)
{
    private const string Operator = "ops@example.com";

    public sealed class OnSqlite() : OperatorChangesTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : OperatorChangesTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task SavedSetting_WinsOverConfiguration_SurvivesRestart_AndBlankGoesBack()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using (var relay = new RelayFactory(database))
        {
            relay.Settings["Userlist:RequestsPerMinute"] = "1000";
            var overrides = relay.Services.GetRequiredService<SettingsOverrides>();

            Assert.Empty(await overrides.SaveAsync(new Dictionary<string, string?> { ["Userlist:RequestsPerMinute"] = "600" }, Operator, CancellationToken.None));

            Assert.Equal(600, relay.Services.GetRequiredService<IOptionsMonitor<UserlistOptions>>().CurrentValue.RequestsPerMinute);
        }

        await using (var restarted = new RelayFactory(database))
        {
            restarted.Settings["Userlist:RequestsPerMinute"] = "1000";
            var options = restarted.Services.GetRequiredService<IOptionsMonitor<UserlistOptions>>();
            Assert.Equal(600, options.CurrentValue.RequestsPerMinute);

            Assert.Empty(await restarted.Services.GetRequiredService<SettingsOverrides>()
                .SaveAsync(new Dictionary<string, string?> { ["Userlist:RequestsPerMinute"] = "" }, Operator, CancellationToken.None));

            Assert.Equal(1000, options.CurrentValue.RequestsPerMinute);
            await using var db = await restarted.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
            Assert.Equal(["Userlist:RequestsPerMinute: 1000 → 600", "Userlist:RequestsPerMinute: 600 → 1000"],
                await db.AuditLog.OrderBy(a => a.Id).Select(a => a.Detail).ToListAsync());
        }
    }

    [SkippableFact]
    public async Task SavedRetryPolicy_IsTheOneDeliveryFollows()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = _ => Task.FromResult<FakeUserlist.Scripted?>(new(503)));
        Assert.Empty(await harness.Relay.Services.GetRequiredService<SettingsOverrides>()
            .SaveAsync(new Dictionary<string, string?> { ["Delivery:MaxAttempts"] = "2" }, Operator, CancellationToken.None));

        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"two-tries"}""");

        await harness.UntilStatusAsync("two-tries", MessageStatus.Failed);
        Assert.Equal(2, (await harness.AttemptsAsync("two-tries")).Count);
    }

    [SkippableFact]
    public async Task Pause_HoldsNewCallsPending_ResumeDeliversThem()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        var settings = harness.Relay.Services.GetRequiredService<DeliverySettings>();
        var dispatcher = harness.Relay.Services.GetRequiredService<DeliveryDispatcher>();
        await settings.PauseAsync(Operator, CancellationToken.None);
        await dispatcher.RefreshBlockAsync(CancellationToken.None);
        Assert.Equal(DeliveryBlock.Paused, dispatcher.Block);

        await harness.SendAsync("/v1/identify", """{"userId":"u","messageId":"held"}""");

        Assert.Equal(0, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal(MessageStatus.Pending, (await harness.MessageAsync("held")).Status);
        Assert.Empty(harness.Userlist.Requests);

        await settings.UnpauseAsync(Operator, CancellationToken.None);

        await harness.UntilStatusAsync("held", MessageStatus.Delivered);
    }

    [SkippableFact]
    public async Task HourlyActivity_CountsWhatWasReceivedDeliveredAndRejected()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, u => u.Script = request =>
            Task.FromResult(request.Body.Contains("\"refuse-me\"") ? new FakeUserlist.Scripted(422, """{"errors":["User must exist"]}""") : null));

        await harness.SendAsync("/v1/batch", """
            {"batch":[{"type":"identify","userId":"a","messageId":"a"},{"type":"identify","userId":"b","messageId":"b"},
                      {"type":"track","userId":"refuse-me","event":"E","messageId":"c"}]}
            """);
        await harness.UntilStatusAsync("c", MessageStatus.Rejected);
        await harness.UntilStatusAsync("b", MessageStatus.Delivered);
        await harness.UntilStatusAsync("a", MessageStatus.Delivered);

        var hour = (await harness.Relay.Services.GetRequiredService<MessageStatistics>().LastDayAsync(CancellationToken.None))[^1];
        Assert.Equal((3, 2, 1, 0), (hour.Received, hour.Delivered, hour.Rejected, hour.Failed));
    }

    [SkippableFact]
    public async Task WriteKey_CreatedInTheDashboard_IngestsAndRecordsUse_UntilRevoked()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        var admin = relay.Services.GetRequiredService<WriteKeyAdmin>();
        var key = await admin.CreateAsync("Web app", Operator, CancellationToken.None);

        await (await client.SendAsync(relay.Post("/v1/identify", """{"userId":"u"}""", key))).AssertSuccessAsync();

        await Eventually.HoldsAsync(async () => (await admin.ListAsync(CancellationToken.None)).Single().LastUsedAt is not null, "its last use is recorded");
        var stored = Assert.Single(await relay.MessagesAsync());
        Assert.Equal($"key-{(await admin.ListAsync(CancellationToken.None)).Single().Id}", stored.SourceId);

        await admin.RevokeAsync((await admin.ListAsync(CancellationToken.None)).Single().Id, Operator, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(relay.Post("/v1/identify", """{"userId":"u"}""", key))).StatusCode);
    }

    [SkippableFact]
    public async Task SandboxSend_GoesThroughTheQueueAsASandboxCall()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        var sandbox = harness.Relay.Services.GetRequiredService<Sandbox>();

        var (id, preview) = await sandbox.SendAsync(Sandbox.Templates["group"], CancellationToken.None);
        var (again, _) = await sandbox.SendAsync(Sandbox.Templates["group"], CancellationToken.None);

        Assert.Null(preview.Problem);
        Assert.NotEqual(id, again);
        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered), "both are delivered");
        Assert.All(await harness.Relay.MessagesAsync(), m => Assert.Equal("sandbox", m.SourceId));
        Assert.All(harness.Userlist.Requests, r => Assert.Equal("/companies", r.Path));
        Assert.Contains("\"role\":\"admin\"", harness.Userlist.Requests[0].Body);
    }
}
