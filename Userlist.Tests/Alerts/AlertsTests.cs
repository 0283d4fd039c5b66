using System.Net;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Alerts;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Alerts;

/// <summary>
/// Each alert condition raised and cleared on simulated time, on both providers, through the real
/// channels: a chat webhook and SMTP on loopback.
/// </summary>
public abstract class AlertsTests(StorageKind storage)
{
    public sealed class OnSqlite() : AlertsTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : AlertsTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task CallsFailed_OneAlertPerInterval_ThenAResolveMessage_ByWebhookAndEmail()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now);

        await rig.RunAlertsAsync();
        var raised = Assert.Single(await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 1));
        Assert.StartsWith("[ALERT] Userlist Relay: Calls failed\n1 call turned Failed in the last 15 minutes", raised, StringComparison.Ordinal);
        var email = Assert.Single(rig.Smtp.ReceivedEmail);
        Assert.Equal(2, email.ToAddresses.Length);
        Assert.Equal("relay@example.com", email.FromAddress.Address);

        // Another call fails within the interval: no second alert until the interval has passed.
        rig.Advance(TimeSpan.FromMinutes(5));
        await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now);
        await rig.RunAlertsAsync();
        rig.Advance(TimeSpan.FromMinutes(9));
        await rig.RunAlertsAsync();
        await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 1);

        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        var still = (await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 2))[1];
        Assert.StartsWith("[ALERT] Userlist Relay: Calls failed (still)", still, StringComparison.Ordinal);

        // Nothing more turns Failed: once the last one is an interval old, the condition clears, once.
        rig.Advance(TimeSpan.FromMinutes(6));
        await rig.RunAlertsAsync();
        await rig.RunAlertsAsync();
        var resolved = (await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 3))[2];
        Assert.StartsWith("[RESOLVED] Userlist Relay: Calls failed", resolved, StringComparison.Ordinal);

        var listed = await rig.AlertDeliveriesAsync();
        Assert.Equal(6, listed.Count);
        Assert.All(listed, d => Assert.Equal("sent", d.Status));
        Assert.Equal(["raised", "raised", "still", "still", "resolved", "resolved"], listed.Select(d => d.Kind));
        Assert.Equal(3, listed.Count(d => d.Channel == AlertChannelNames.Webhook));
        Assert.Equal(3, listed.Count(d => d.Channel == AlertChannelNames.Email));
        Assert.All(rig.Webhook.Paths, path => Assert.Equal(AlertRig.WebhookSecretPath, path));
    }

    [SkippableFact]
    public async Task KeyRefused_RaisedAtOnce_ClearedWhenANewKeyIsSaved_AndNoSecretInAnyAlert()
    {
        await using var rig = await AlertRig.StartAsync(storage, new() { ["Userlist:PushKey"] = AlertRig.PushKey, ["Alerts:Email:Password"] = "smtp-password-never-in-alerts" });
        var delivery = rig.Get<DeliverySettings>();
        await delivery.MarkRefusedAsync(AlertRig.PushKey, CancellationToken.None);

        await rig.RunAlertsAsync();
        var raised = Assert.Single(await rig.UntilWebhookAsync(AlertConditions.KeyRefused, 1));
        Assert.Contains("401", raised, StringComparison.Ordinal);

        const string newKey = "push-key-new-never-in-alerts-5555";
        await delivery.SavePushKeyAsync(newKey, "ops@example.com", CancellationToken.None);
        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        Assert.StartsWith("[RESOLVED] Userlist Relay: Push API key refused", (await rig.UntilWebhookAsync(AlertConditions.KeyRefused, 2))[1], StringComparison.Ordinal);

        var everything = rig.Webhook.Texts.Concat(rig.Smtp.ReceivedEmail.Select(e => e.Subject + "\n" + e.MessageParts[0].BodyData))
            .Concat((await rig.AlertDeliveriesAsync()).Select(d => d.Text + d.Error)).ToList();
        Assert.NotEmpty(everything);
        foreach (var secret in new[] { AlertRig.PushKey, newKey, "smtp-password-never-in-alerts", "SeCrEtToKeN4242", rig.Webhook.Url.Authority })
        {
            Assert.All(everything, text => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task DeliveryStalled_AndOldestWaiting_RaisedPastTheirThresholds_ClearedOnceDelivered()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        // No Push API key: the call is due and nothing is delivered.
        var call = await rig.AddCallAsync(MessageStatus.Pending, rig.Now);

        rig.Advance(TimeSpan.FromMinutes(9));
        await rig.RunAlertsAsync();
        Assert.Empty(rig.WebhookTexts(AlertConditions.DeliveryStalled));

        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        var stalled = Assert.Single(await rig.UntilWebhookAsync(AlertConditions.DeliveryStalled, 1));
        Assert.Contains("none was delivered in the last 10 minutes. No Push API key is set.", stalled, StringComparison.Ordinal);
        Assert.Empty(rig.WebhookTexts(AlertConditions.OldestWaiting));

        rig.Advance(TimeSpan.FromMinutes(20));
        await rig.RunAlertsAsync();
        var oldest = Assert.Single(await rig.UntilWebhookAsync(AlertConditions.OldestWaiting, 1));
        Assert.Contains("(Pending or Retrying) was received 30 minutes ago", oldest, StringComparison.Ordinal);

        await rig.SetStatusAsync(call, MessageStatus.Delivered);
        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        Assert.StartsWith("[RESOLVED]", (await rig.UntilWebhookAsync(AlertConditions.OldestWaiting, 2))[1], StringComparison.Ordinal);
        Assert.StartsWith("[RESOLVED]", (await rig.UntilWebhookAsync(AlertConditions.DeliveryStalled, 3))[2], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task DeliveryPaused_PastTheStalledThreshold_Alerts_AndResumingClearsIt()
    {
        await using var rig = await AlertRig.StartAsync(storage, new() { ["Alerts:StalledMinutes"] = "3" });
        var delivery = rig.Get<DeliverySettings>();
        await delivery.PauseAsync("ops@example.com", CancellationToken.None);

        rig.Advance(TimeSpan.FromMinutes(2));
        await rig.RunAlertsAsync();
        Assert.Empty(rig.WebhookTexts(AlertConditions.DeliveryStalled));

        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        Assert.Contains("Delivery has been paused from the dashboard for 3 minutes", Assert.Single(await rig.UntilWebhookAsync(AlertConditions.DeliveryStalled, 1)), StringComparison.Ordinal);

        await delivery.UnpauseAsync("ops@example.com", CancellationToken.None);
        await rig.RunAlertsAsync();
        Assert.StartsWith("[RESOLVED]", (await rig.UntilWebhookAsync(AlertConditions.DeliveryStalled, 2))[1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task IngestAnswering503_Alerts_AndClearsFiveMinutesAfterTheLast503()
    {
        await using var rig = await AlertRig.StartAsync(storage, new() { ["Storage:WriteTimeoutSeconds"] = "1" });
        using var client = rig.Relay.CreateClient();
        await using (await DatabaseLock.HoldAsync(rig.Relay.Database))
        {
            var response = await client.SendAsync(rig.Relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"during-lock"}"""));
            await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "unavailable");
        }

        await rig.RunAlertsAsync();
        Assert.Contains("Ingest answered 503", Assert.Single(await rig.UntilWebhookAsync(AlertConditions.IngestUnavailable, 1)), StringComparison.Ordinal);

        rig.Advance(TimeSpan.FromMinutes(4));
        await rig.RunAlertsAsync();
        await rig.UntilWebhookAsync(AlertConditions.IngestUnavailable, 1);

        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        Assert.StartsWith("[RESOLVED] Userlist Relay: Ingest answering 503", (await rig.UntilWebhookAsync(AlertConditions.IngestUnavailable, 2))[1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task RefusingWebhook_IsTriedThreeTimes_ThenListedAsFailed_WhileEmailGoesThrough()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        rig.Webhook.AnswerStatus = 500;
        await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now);

        await rig.RunAlertsAsync();
        rig.Advance(TimeSpan.FromMinutes(1));
        await rig.RunAlertsAsync();
        rig.Advance(TimeSpan.FromMinutes(2));
        await rig.RunAlertsAsync();
        rig.Advance(TimeSpan.FromMinutes(5));
        await rig.RunAlertsAsync();

        await Eventually.HoldsAsync(async () => (await rig.AlertDeliveriesAsync()).Any(d => d.Channel == AlertChannelNames.Webhook && d.Status == "failed"), "the webhook alert is given up on");
        Assert.Equal(AlertOutbox.MaxAttempts, rig.WebhookTexts(AlertConditions.CallsFailed).Count);
        var webhook = Assert.Single(await rig.AlertDeliveriesAsync(), d => d.Channel == AlertChannelNames.Webhook);
        Assert.Equal((AlertOutbox.MaxAttempts, "the webhook answered 500 Internal Server Error"), (webhook.Attempts, webhook.Error));
        Assert.Equal("sent", Assert.Single(await rig.AlertDeliveriesAsync(), d => d.Channel == AlertChannelNames.Email).Status);
        Assert.Equal(AlertOutbox.MaxAttempts, rig.Relay.Logs.Lines.Count(l => l.Contains("Alert calls-failed (raised) by webhook failed on attempt", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public async Task TwoEvaluationsAtOnce_AnnounceAChangeOnce()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(rig.RunAlertsAsync)));
        await rig.RunAlertsAsync();

        await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 1);
        Assert.Equal(2, (await rig.AlertDeliveriesAsync()).Count);
    }

    [SkippableFact]
    public async Task TestAlerts_ReportTheOutcomeOfEachChannel_AndAreListed()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        var outbox = rig.Get<AlertOutbox>();

        Assert.Equal(AlertSendResult.Ok, await outbox.SendTestAsync(AlertChannelNames.Webhook, "ops@example.com", CancellationToken.None));
        Assert.Equal(AlertSendResult.Ok, await outbox.SendTestAsync(AlertChannelNames.Email, "ops@example.com", CancellationToken.None));
        Assert.StartsWith("[TEST] Userlist Relay: test alert", Assert.Single(rig.Webhook.Texts), StringComparison.Ordinal);
        Assert.Equal("[TEST] Userlist Relay: test alert", Assert.Single(rig.Smtp.ReceivedEmail).Subject);

        rig.Webhook.AnswerStatus = 404;
        rig.Smtp.Stop();
        var webhook = await outbox.SendTestAsync(AlertChannelNames.Webhook, "ops@example.com", CancellationToken.None);
        var email = await outbox.SendTestAsync(AlertChannelNames.Email, "ops@example.com", CancellationToken.None);
        Assert.Equal(new AlertSendResult(false, "the webhook answered 404 Not Found"), webhook);
        Assert.False(email.Sent);
        Assert.StartsWith("the mail server refused or could not be reached", email.Error, StringComparison.Ordinal);

        Assert.Equal(["sent", "sent", "failed", "failed"], (await rig.AlertDeliveriesAsync()).Select(d => d.Status));
    }

    [SkippableFact]
    public async Task SettingsSavedInTheDashboard_WinOverConfiguration_SecretsEncrypted_AndAudited()
    {
        await using var rig = await AlertRig.StartAsync(storage);
        var settings = rig.Get<AlertSettings>();
        var view = await settings.ViewAsync(CancellationToken.None);
        Assert.Equal($"http://{rig.Webhook.Url.Authority}/…", view.WebhookHint);
        Assert.False(view.PasswordSet);

        var form = view.Form;
        form.NewWebhookUrl = new Uri(rig.Webhook.Url, "/other/SeCrEtToKeN7777").ToString();
        form.User = "relay";
        form.NewPassword = "smtp-password-1234";
        form.IntervalMinutes = 30;
        Assert.Empty(await settings.SaveAsync(form, "ops@example.com", CancellationToken.None));

        var current = await settings.CurrentAsync(CancellationToken.None);
        Assert.Equal((form.NewWebhookUrl, "smtp-password-1234", "relay", 30), (current.WebhookUrl, current.Email.Password, current.Email.User, current.IntervalMinutes));
        Assert.True((await settings.ViewAsync(CancellationToken.None)).PasswordSet);

        await using var db = await rig.Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        var stored = await db.Settings.AsNoTracking().Where(s => s.Name.StartsWith("Alerts:")).ToListAsync();
        Assert.DoesNotContain(stored, s => s.Value!.Contains("SeCrEtToKeN7777", StringComparison.Ordinal) || s.Value.Contains("smtp-password-1234", StringComparison.Ordinal));
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.Action == "Alerts").Select(a => a.Detail).ToListAsync();
        Assert.Equal(["Alerts:WebhookUrl: changed", "Alerts:Email:User: (none) → relay", "Alerts:Email:Password: set", "Alerts:IntervalMinutes: 15 → 30"], audit);

        form.NewWebhookUrl = "not a url";
        form.To = "nobody";
        Assert.Equal(["Alerts:WebhookUrl must be an absolute http or https URL", "Alerts:Email:To must be one or more email addresses, separated by commas"],
            await settings.SaveAsync(form, "ops@example.com", CancellationToken.None));
    }
}
