using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using netDumbster.smtp;
using Userlist.Core.Alerts;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Alerts;

/// <summary>
/// The relay on a real database of either provider with its clock in the test's hands, alerting
/// to a fake chat webhook and a fake SMTP server on loopback. The test runs the alerts job
/// itself after moving the clock (Hangfire's minutely run of it may come in between: the state
/// rows make that harmless, and the assertions wait for what is sent rather than expect it at once).
/// </summary>
public sealed class AlertRig : IAsyncDisposable
{
    /// <summary>The path part of a Slack webhook URL is its secret; it must never appear in an alert.</summary>
    public const string WebhookSecretPath = "/services/T0001/B0002/SeCrEtToKeN4242";

    public const string PushKey = "push-key-never-in-alerts-9876";

    private readonly TestDatabase database;

    private AlertRig(TestDatabase database, RelayFactory relay, FakeTimeProvider clock, FakeAlertWebhook webhook, SimpleSmtpServer smtp) =>
        (this.database, Relay, Clock, Webhook, Smtp) = (database, relay, clock, webhook, smtp);

    public RelayFactory Relay { get; }

    public FakeTimeProvider Clock { get; }

    public FakeAlertWebhook Webhook { get; }

    public SimpleSmtpServer Smtp { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public T Get<T>()
        where T : notnull => Relay.Services.GetRequiredService<T>();

    public static async Task<AlertRig> StartAsync(StorageKind storage, Dictionary<string, string?>? settings = null)
    {
        TestDatabase.SkipUnlessInstalled(storage);
        var database = await TestDatabase.CreateAsync(storage);
        var webhook = await FakeAlertWebhook.StartAsync();
        var smtp = SimpleSmtpServer.Start(RelayProcess.FreePort());
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var relay = new RelayFactory(database) { Time = clock };
        relay.Settings["Userlist:PushApiUrl"] = "http://127.0.0.1:9/";
        relay.Settings["Alerts:WebhookUrl"] = new Uri(webhook.Url, WebhookSecretPath).ToString();
        relay.Settings["Alerts:Email:Host"] = "127.0.0.1";
        relay.Settings["Alerts:Email:Port"] = smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        relay.Settings["Alerts:Email:UseTls"] = "false";
        relay.Settings["Alerts:Email:From"] = "relay@example.com";
        relay.Settings["Alerts:Email:To"] = "ops@example.com, oncall@example.com";
        foreach (var (key, value) in settings ?? [])
        {
            relay.Settings[key] = value;
        }

        var rig = new AlertRig(database, relay, clock, webhook, smtp);
        var role = rig.Get<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay dispatches");
        return rig;
    }

    /// <summary>Another instance on the same database, settings and clock (PostgreSQL: SQLite takes one process).</summary>
    public RelayFactory AnotherInstance()
    {
        var other = new RelayFactory(Relay.Database) { Time = Clock };
        foreach (var (key, value) in Relay.Settings)
        {
            other.Settings[key] = value;
        }

        return other;
    }

    /// <summary>What the alerts job does every minute: evaluate, then send what is due.</summary>
    public Task RunAlertsAsync() => Get<AlertsJob>().RunAsync(CancellationToken.None);

    public void Advance(TimeSpan by) => Clock.Advance(by);

    /// <summary>The webhook texts that name this condition's title.</summary>
    public IReadOnlyList<string> WebhookTexts(string condition) =>
        Webhook.Texts.Where(t => t.Split('\n')[0].Contains(AlertConditions.Title(condition), StringComparison.Ordinal)).ToList();

    public IReadOnlyList<string> EmailSubjects(string condition) =>
        Smtp.ReceivedEmail.Select(e => e.Subject).Where(s => s.Contains(AlertConditions.Title(condition), StringComparison.Ordinal)).ToList();

    /// <summary>Waits until the webhook holds this many texts for the condition, and checks it holds no more.</summary>
    public async Task<IReadOnlyList<string>> UntilWebhookAsync(string condition, int count)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(WebhookTexts(condition).Count >= count), $"{count} webhook alerts for {condition}");
        await Eventually.HoldsAsync(() => Task.FromResult(EmailSubjects(condition).Count >= count), $"{count} email alerts for {condition}");
        var texts = WebhookTexts(condition);
        Assert.Equal(count, texts.Count);
        Assert.Equal(count, EmailSubjects(condition).Count);
        return texts;
    }

    /// <param name="through">The instance to write through (another one, once this one is gone).</param>
    public async Task<long> AddCallAsync(MessageStatus status, DateTime receivedAt, DateTime? updatedAt = null, RelayFactory? through = null)
    {
        await using var db = await (through ?? Relay).Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        var message = new Message
        {
            SourceId = "test",
            MessageId = $"call-{Guid.NewGuid():N}",
            Type = "track",
            UserId = "user-1",
            Event = "Signed Up",
            Payload = """{"type":"track","event":"Signed Up","userId":"user-1"}""",
            ReceivedAt = receivedAt,
            Status = status,
            UpdatedAt = updatedAt ?? receivedAt,
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }

    public async Task SetStatusAsync(long id, MessageStatus status)
    {
        await using var db = await Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        var now = Now;
        await db.Messages.Where(m => m.Id == id).ExecuteUpdateAsync(set => set.SetProperty(m => m.Status, status).SetProperty(m => m.UpdatedAt, now));
    }

    public async Task<List<AlertDelivery>> AlertDeliveriesAsync()
    {
        await using var db = await Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.AlertDeliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Webhook.DisposeAsync();
        Smtp.Stop();
        Smtp.Dispose();
        await database.DisposeAsync();
    }
}
