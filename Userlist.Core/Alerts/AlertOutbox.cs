using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Userlist.Core.Storage;

namespace Userlist.Core.Alerts;

/// <summary>
/// Alerts to send, one row per channel in <see cref="AlertDelivery"/>: queued with the condition's
/// change, sent by the alerts job, and on failure tried again at the job's next runs (a minute,
/// then two later) before they are marked failed. Every attempt is logged, without the text's
/// destination. A row is claimed (its attempt counted) before it is sent, so two runs never send it twice.
/// </summary>
public sealed partial class AlertOutbox(
    IDbContextFactory<RelayDbContext> databases,
    AlertSettings settings,
    WebhookAlerts webhook,
    EmailAlerts email,
    TimeProvider time,
    ILogger<AlertOutbox> logger)
{
    public const int MaxAttempts = 3;

    private static readonly TimeSpan RetryStep = TimeSpan.FromMinutes(1);

    /// <summary>Adds one row per channel set (to the caller's context, saved with its transaction); none without a channel.</summary>
    public void Queue(RelayDbContext db, AlertConfiguration configuration, string condition, string kind, string text, DateTime now)
    {
        var channels = Channels(configuration).ToList();
        if (channels.Count == 0)
        {
            LogNoChannel(condition, kind);
            return;
        }

        foreach (var channel in channels)
        {
            db.AlertDeliveries.Add(new AlertDelivery
            {
                At = now,
                Channel = channel,
                Condition = condition,
                Kind = kind,
                Text = text,
                Status = "pending",
                NextAttemptAt = now,
            });
        }
    }

    /// <summary>Sends the alerts that are due; returns how many went out.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var due = await StorageCalls.RunAsync<List<AlertDelivery>>(async () =>
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            return await db.AlertDeliveries.AsNoTracking().Where(d => d.Status == "pending" && d.NextAttemptAt <= now)
                .OrderBy(d => d.Id).Take(100).ToListAsync(cancellationToken);
        });
        if (due.Count == 0)
        {
            return 0;
        }

        var configuration = await settings.CurrentAsync(cancellationToken);
        var sent = 0;
        foreach (var alert in due)
        {
            var attempt = alert.Attempts + 1;
            DateTime? claimedUntil = now + RetryStep * attempt;
            var claimed = await StorageCalls.RunAsync(async () =>
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                return await db.AlertDeliveries.Where(d => d.Id == alert.Id && d.Status == "pending" && d.Attempts == alert.Attempts)
                    .ExecuteUpdateAsync(set => set.SetProperty(d => d.Attempts, attempt).SetProperty(d => d.NextAttemptAt, claimedUntil), cancellationToken);
            });
            if (claimed == 0)
            {
                continue;
            }

            var result = await SendAsync(alert.Channel, configuration, alert.Text, cancellationToken);
            var status = result.Sent ? "sent" : attempt >= MaxAttempts ? "failed" : "pending";
            DateTime? sentAt = result.Sent ? time.GetUtcNow().UtcDateTime : null;
            DateTime? next = status == "pending" ? now + RetryStep * attempt : null;
            await StorageCalls.RunAsync(async () =>
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                await db.AlertDeliveries.Where(d => d.Id == alert.Id).ExecuteUpdateAsync(set => set
                    .SetProperty(d => d.Status, status)
                    .SetProperty(d => d.Error, result.Error)
                    .SetProperty(d => d.SentAt, sentAt)
                    .SetProperty(d => d.NextAttemptAt, next), cancellationToken);
            });
            if (result.Sent)
            {
                sent++;
                LogSent(alert.Condition, alert.Kind, alert.Channel, attempt);
            }
            else
            {
                LogFailed(alert.Condition, alert.Kind, alert.Channel, attempt, MaxAttempts, result.Error!, status == "pending");
            }
        }

        return sent;
    }

    /// <summary>Sends a test alert to one channel now, lists it with the others, and returns what happened.</summary>
    public async Task<AlertSendResult> SendTestAsync(string channel, string operatorName, CancellationToken cancellationToken)
    {
        var configuration = await settings.CurrentAsync(cancellationToken);
        var text = $"[TEST] Userlist Relay: test alert\nSent by {operatorName} from the Settings page: alerts reach this {channel} channel.";
        var result = await SendAsync(channel, configuration, text, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        await StorageCalls.RunAsync(async () =>
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            db.AlertDeliveries.Add(new AlertDelivery
            {
                At = now,
                Channel = channel,
                Condition = AlertConditions.Test,
                Kind = AlertKinds.Test,
                Text = text,
                Status = result.Sent ? "sent" : "failed",
                Attempts = 1,
                SentAt = result.Sent ? now : null,
                Error = result.Error,
            });
            await db.SaveChangesAsync(cancellationToken);
        });
        if (result.Sent)
        {
            LogSent(AlertConditions.Test, AlertKinds.Test, channel, 1);
        }
        else
        {
            LogFailed(AlertConditions.Test, AlertKinds.Test, channel, 1, 1, result.Error!, false);
        }

        return result;
    }

    /// <summary>The newest alerts, for the Settings page.</summary>
    public Task<IReadOnlyList<AlertDelivery>> NewestAsync(int count, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<AlertDelivery>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.AlertDeliveries.AsNoTracking().OrderByDescending(d => d.Id).Take(count).ToListAsync(cancellationToken);
    });

    private static IEnumerable<string> Channels(AlertConfiguration configuration)
    {
        if (configuration.WebhookUrl.Length > 0)
        {
            yield return AlertChannelNames.Webhook;
        }

        if (configuration.Email.IsSet)
        {
            yield return AlertChannelNames.Email;
        }
    }

    private Task<AlertSendResult> SendAsync(string channel, AlertConfiguration configuration, string text, CancellationToken cancellationToken) => channel switch
    {
        AlertChannelNames.Webhook when configuration.WebhookUrl.Length > 0 => webhook.SendAsync(configuration.WebhookUrl, text, cancellationToken),
        AlertChannelNames.Email when configuration.Email.IsSet => email.SendAsync(configuration.Email, text, cancellationToken),
        _ => Task.FromResult(AlertSendResult.Failed($"no {channel} channel is set")),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Condition} ({Kind}) has no channel to go to: set a webhook or email in Settings")]
    private partial void LogNoChannel(string condition, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent alert {Condition} ({Kind}) by {Channel} on attempt {Attempt}")]
    private partial void LogSent(string condition, string kind, string channel, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Condition} ({Kind}) by {Channel} failed on attempt {Attempt} of {MaxAttempts}: {Error} (tried again: {WillRetry})")]
    private partial void LogFailed(string condition, string kind, string channel, int attempt, int maxAttempts, string error, bool willRetry);
}
