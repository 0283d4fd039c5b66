using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;

namespace Userlist.Core.Alerts;

/// <summary>
/// Looks at the relay's state and raises or clears each alert condition: at most one alert per
/// condition per <c>Alerts:IntervalMinutes</c> while it lasts, and a "resolved" message when an
/// announced condition clears. The state lives in <see cref="AlertState"/> rows, each changed
/// only if no other evaluation changed it since it was read, so two instances never announce the
/// same change twice.
/// </summary>
public sealed partial class AlertMonitor(
    IDbContextFactory<RelayDbContext> databases,
    AlertSettings settings,
    AlertOutbox outbox,
    DeliverySettings delivery,
    MessageStatistics statistics,
    IngestRefusals refusals,
    TimeProvider time,
    ILogger<AlertMonitor> logger)
{
    /// <summary>Ingest counts as answering 503 until this long after its last 503.</summary>
    public static readonly TimeSpan IngestQuietPeriod = TimeSpan.FromMinutes(5);

    /// <summary>Evaluates every condition once; the alerts it raises are queued for <see cref="AlertOutbox.SendDueAsync"/>.</summary>
    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var configuration = await settings.CurrentAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var findings = await FindAsync(configuration, now, cancellationToken);
        foreach (var condition in AlertConditions.All)
        {
            await StorageCalls.RunAsync(() => ApplyAsync(condition, findings.GetValueOrDefault(condition), configuration, now, cancellationToken));
        }
    }

    /// <summary>The current state of every condition, for the Settings page.</summary>
    public Task<IReadOnlyList<AlertState>> StatesAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<AlertState>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.AlertStates.AsNoTracking().ToListAsync(cancellationToken);
    });

    /// <summary>Each active condition with what the alert says about it; a clear one is absent.</summary>
    private async Task<Dictionary<string, string>> FindAsync(AlertConfiguration configuration, DateTime now, CancellationToken cancellationToken)
    {
        var findings = new Dictionary<string, string>();
        var (_, block) = await delivery.SendingKeyAsync(cancellationToken);
        if (block == DeliveryBlock.KeyRefused)
        {
            findings[AlertConditions.KeyRefused] = "Userlist answered 401 to the Push API key in force. Delivery is paused until a new key is saved in Settings; calls keep being stored.";
        }

        var interval = TimeSpan.FromMinutes(configuration.IntervalMinutes);
        var stalledFor = TimeSpan.FromMinutes(configuration.StalledMinutes);
        var stalledSince = now - stalledFor;
        await StorageCalls.RunAsync(async () =>
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var failedSince = now - interval;
            var failed = await db.Messages.CountAsync(m => m.Status == MessageStatus.Failed && m.UpdatedAt >= failedSince, cancellationToken);
            if (failed > 0)
            {
                findings[AlertConditions.CallsFailed] = $"{Counted.Calls(failed)} turned Failed in the last {configuration.IntervalMinutes} minutes: their retries ran out. Retry them from the Events page (status Failed).";
            }

            var paused = await db.Settings.AsNoTracking().Where(s => s.Name == SettingKeys.DeliveryPaused).Select(s => new { s.UpdatedAt }).FirstOrDefaultAsync(cancellationToken);
            if (paused is not null)
            {
                if (paused.UpdatedAt <= stalledSince)
                {
                    findings[AlertConditions.DeliveryStalled] = $"Delivery has been paused from the dashboard for {Minutes(now - paused.UpdatedAt)}; calls are stored and wait. Resume it in Settings.";
                }

                return;
            }

            // Due: Pending calls (by when they arrived) and Retrying ones (by when their retry fell due).
            var oldestPending = await MessageStatistics.OldestAsync(db, MessageStatus.Pending, cancellationToken);
            var oldestRetry = await db.Messages.Where(m => m.Status == MessageStatus.Retrying && m.NextAttemptAt != null)
                .MinAsync(m => m.NextAttemptAt, cancellationToken);
            var dueSince = MessageStatistics.Earliest(oldestPending, oldestRetry);
            if (dueSince is { } since && since <= stalledSince
                && !await db.DeliveryAttempts.AnyAsync(a => a.StartedAt >= stalledSince && a.Outcome == "Delivered", cancellationToken))
            {
                var why = block switch
                {
                    DeliveryBlock.NoPushKey => " No Push API key is set.",
                    DeliveryBlock.KeyRefused => " Userlist refused the Push API key.",
                    _ => "",
                };
                findings[AlertConditions.DeliveryStalled] = $"Calls have been due for {Minutes(now - since)} and none was delivered in the last {configuration.StalledMinutes} minutes.{why}";
            }
        });

        if (await statistics.OldestWaitingAsync(cancellationToken) is { } oldest && now - oldest >= TimeSpan.FromMinutes(configuration.OldestWaitingMinutes))
        {
            findings[AlertConditions.OldestWaiting] = $"The oldest call waiting to be delivered (Pending or Retrying) was received {Minutes(now - oldest)} ago, more than the {configuration.OldestWaitingMinutes} minutes allowed.";
        }

        if (await refusals.LastUnavailableAnywhereAsync(cancellationToken) is { } unavailable && now - unavailable < IngestQuietPeriod)
        {
            findings[AlertConditions.IngestUnavailable] = $"Ingest answered 503 (storage unavailable) at {unavailable:yyyy-MM-dd HH:mm:ss} UTC: clients are asked to send their calls again later.";
        }

        return findings;
    }

    private async Task ApplyAsync(string condition, string? detail, AlertConfiguration configuration, DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "AlertStates" ("Condition", "Version", "Notified") VALUES ({condition}, 0, {false}) ON CONFLICT ("Condition") DO NOTHING""", cancellationToken);
        var state = await db.AlertStates.AsNoTracking().FirstAsync(s => s.Condition == condition, cancellationToken);
        string? kind;
        AlertState next;
        if (detail is not null)
        {
            var due = state.LastAlertAt is not { } last || now - last >= TimeSpan.FromMinutes(configuration.IntervalMinutes);
            kind = due ? (state.Notified ? AlertKinds.Still : AlertKinds.Raised) : null;
            next = new AlertState
            {
                Condition = condition,
                ActiveSince = state.ActiveSince ?? now,
                LastAlertAt = due ? now : state.LastAlertAt,
                Notified = state.Notified || due,
                Detail = detail,
            };
        }
        else if (state.ActiveSince is not null)
        {
            kind = state.Notified ? AlertKinds.Resolved : null;
            next = new AlertState { Condition = condition, ActiveSince = null, LastAlertAt = state.LastAlertAt, Notified = false, Detail = null };
        }
        else
        {
            return;
        }

        if (kind is null && next.Detail == state.Detail && next.ActiveSince == state.ActiveSince)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.AlertStates.Where(s => s.Condition == condition && s.Version == state.Version)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.Version, state.Version + 1)
                .SetProperty(s => s.ActiveSince, next.ActiveSince)
                .SetProperty(s => s.LastAlertAt, next.LastAlertAt)
                .SetProperty(s => s.Notified, next.Notified)
                .SetProperty(s => s.Detail, next.Detail), cancellationToken);
        if (changed == 0)
        {
            // Another evaluation got there first and said what there was to say.
            return;
        }

        if (kind is not null)
        {
            outbox.Queue(db, configuration, condition, kind, Text(condition, kind, kind == AlertKinds.Resolved ? state.Detail : detail, state.ActiveSince, now), now);
            await db.SaveChangesAsync(cancellationToken);
            LogChanged(condition, kind);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static string Text(string condition, string kind, string? detail, DateTime? activeSince, DateTime now) => kind switch
    {
        AlertKinds.Resolved => $"[RESOLVED] Userlist Relay: {AlertConditions.Title(condition)}\nCleared after {Minutes(now - (activeSince ?? now))}.",
        AlertKinds.Still => $"[ALERT] Userlist Relay: {AlertConditions.Title(condition)} (still)\n{detail}",
        _ => $"[ALERT] Userlist Relay: {AlertConditions.Title(condition)}\n{detail}",
    };

    private static string Minutes(TimeSpan span) => span.TotalMinutes < 120 ? $"{Math.Max(1, (int)Math.Round(span.TotalMinutes))} minutes" : $"{span.TotalHours:0.#} hours";

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert condition {Condition}: {Kind}")]
    private partial void LogChanged(string condition, string kind);
}
