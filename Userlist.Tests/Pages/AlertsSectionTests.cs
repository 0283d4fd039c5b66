using Bunit;
using netDumbster.smtp;
using Userlist.Core.Alerts;
using Userlist.Dashboard.Components.Pages.Settings;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Pages;

public sealed class AlertsSectionTests
{
    /// <summary>The input of a Mud field, whether the test id lands on the input or around it.</summary>
    private static string Input(string testId) => $"input[data-testid={testId}], [data-testid={testId}] input";

    [Fact]
    public async Task Empty_SaysNoWebhookAndNoAlertsSent_AndTheTestButtonsWait()
    {
        await using var context = new PageContext();
        var section = context.RenderPage<AlertsSection>();

        section.Until(() => Assert.Equal("No webhook is set.", section.Find("[data-testid=webhook-hint]").TextContent.Trim()));
        Assert.Equal("None yet.", section.Find("[data-testid=no-alerts-sent]").TextContent);
        Assert.True(section.Find("button[data-testid=test-webhook]").HasAttribute("disabled"));
        Assert.True(section.Find("button[data-testid=test-email]").HasAttribute("disabled"));
        Assert.Equal("15", section.Find(Input("alert-interval")).GetAttribute("value"));
    }

    [Fact]
    public async Task SavedChannels_AreAuditedWithoutSecrets_AndTheTestButtonsShowWhatHappened()
    {
        await using var webhook = await FakeAlertWebhook.StartAsync();
        using var smtp = SimpleSmtpServer.Start(RelayProcess.FreePort());
        await using var context = new PageContext();
        var section = context.RenderPage<AlertsSection>();
        section.Until(() => section.Find("[data-testid=webhook-hint]"));

        var url = new Uri(webhook.Url, "/services/T1/B2/TopSecretPath").ToString();
        section.InputCurrent(Input("alert-webhook-url"), url);
        section.InputCurrent(Input("alert-email-host"), "127.0.0.1");
        section.ChangeCurrent(Input("alert-email-port"), smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        section.ChangeCurrent(Input("alert-email-tls"), false);
        section.InputCurrent(Input("alert-email-password"), "smtp-secret-pw");
        section.InputCurrent(Input("alert-email-from"), "relay@example.com");
        section.InputCurrent(Input("alert-email-to"), "ops@example.com");
        section.ClickCurrent(() => section.Find("button[data-testid=save-alerts]"));

        section.Until(() => Assert.Equal($"Posting to http://{webhook.Url.Authority}/… (the rest of the address is kept encrypted)", section.Find("[data-testid=webhook-hint]").TextContent.Trim()));
        Assert.DoesNotContain("TopSecretPath", section.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp-secret-pw", section.Markup, StringComparison.Ordinal);
        var audit = (await context.AuditAsync()).Select(a => a.Detail).ToList();
        Assert.Contains("Alerts:WebhookUrl: set", audit);
        Assert.Contains("Alerts:Email:Password: set", audit);
        Assert.DoesNotContain(audit, detail => detail.Contains("TopSecretPath", StringComparison.Ordinal) || detail.Contains("smtp-secret-pw", StringComparison.Ordinal));

        section.ClickCurrent(() => section.Find("button[data-testid=test-webhook]"));
        section.Until(() => Assert.Equal("Test alert sent by webhook", section.Find("[data-testid=test-alert-result]").TextContent.Trim()));
        Assert.StartsWith("[TEST]", Assert.Single(webhook.Texts), StringComparison.Ordinal);

        section.ClickCurrent(() => section.Find("button[data-testid=test-email]"));
        section.Until(() => Assert.Equal("Test alert sent by email", section.Find("[data-testid=test-alert-result]").TextContent.Trim()));
        Assert.Single(smtp.ReceivedEmail);

        webhook.AnswerStatus = 500;
        section.ClickCurrent(() => section.Find("button[data-testid=test-webhook]"));
        section.Until(() => Assert.Equal("Test alert by webhook failed: the webhook answered 500 Internal Server Error", section.Find("[data-testid=test-alert-result]").TextContent.Trim()));

        var rows = section.FindAll("[data-testid=alerts-sent] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("webhook", rows[0], StringComparison.Ordinal);
        Assert.Contains("Test alert (test)", rows[0], StringComparison.Ordinal);
        Assert.Contains("failed after 1 attempts: the webhook answered 500", rows[0], StringComparison.Ordinal);
        Assert.Contains("email", rows[1], StringComparison.Ordinal);
        Assert.EndsWith("sent", rows[1].Trim(), StringComparison.Ordinal);
        Assert.Equal(AlertChannelNames.Webhook, (await context.Get<AlertOutbox>().NewestAsync(1, CancellationToken.None))[0].Channel);
    }

    [Fact]
    public async Task InvalidValues_AreRefusedWithTheKeyNamed()
    {
        await using var context = new PageContext();
        var section = context.RenderPage<AlertsSection>();
        section.Until(() => section.Find("[data-testid=webhook-hint]"));

        section.InputCurrent(Input("alert-webhook-url"), "hooks.slack.com/services/x");
        section.InputCurrent(Input("alert-email-host"), "smtp.example.com");
        section.ClickCurrent(() => section.Find("button[data-testid=save-alerts]"));

        section.Until(() => Assert.Equal(
            ["Alerts:WebhookUrl must be an absolute http or https URL", "Alerts:Email:From must be an email address", "Alerts:Email:To must be one or more email addresses, separated by commas"],
            section.FindAll("[data-testid=alert-setting-problem]").Select(p => p.TextContent.Trim())));
        Assert.Empty(await context.AuditAsync());
    }
}
