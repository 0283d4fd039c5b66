using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// Daily: deletes Delivered and Skipped calls older than <c>Delivery:RetentionDays</c>, with their
/// attempts, and what was delivered per user and company longer ago than <c>Delivery:SkipUnchangedHours</c>;
/// alerts and refused-ingest counts older than <c>Delivery:RetentionDays</c> go too.
/// </summary>
public sealed partial class RetentionJob(
    IDbContextFactory<RelayDbContext> databases,
    ISearchIndex search,
    IOptionsMonitor<DeliveryOptions> options,
    TimeProvider time,
    ILogger<RetentionJob> logger)
{
    /// <summary>Rows per delete statement, so the write lock is never held long against ingest.</summary>
    private const int Chunk = 5_000;

    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-options.CurrentValue.RetentionDays);
        var deleted = 0;
        while (true)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var ids = await db.Messages
                .Where(m => (m.Status == MessageStatus.Delivered || m.Status == MessageStatus.Skipped) && m.ReceivedAt < cutoff)
                .OrderBy(m => m.Id).Select(m => m.Id).Take(Chunk).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.DeliveryAttempts.Where(a => ids.Contains(a.MessageRowId)).ExecuteDeleteAsync(cancellationToken);
            await search.ForgetAsync(db, ids, cancellationToken);
            deleted += await db.Messages.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        LogDeleted(deleted, options.CurrentValue.RetentionDays);
        await ForgetOldDeliveredStatesAsync(cancellationToken);
        await ForgetOldAlertsAndRefusalsAsync(cutoff, cancellationToken);
        return deleted;
    }

    /// <summary>What was delivered before the unchanged-skip window can't skip a call any more: only its row would be left.</summary>
    private async Task ForgetOldDeliveredStatesAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddHours(-options.CurrentValue.SkipUnchangedHours);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.DeliveredStates.Where(s => s.DeliveredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task ForgetOldAlertsAndRefusalsAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.RefusedIngest.Where(r => r.Hour < cutoff).ExecuteDeleteAsync(cancellationToken);
        await db.AlertDeliveries.Where(a => a.At < cutoff && a.Status != "pending").ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} Delivered and Skipped calls older than {Days} days")]
    private partial void LogDeleted(int count, int days);
}
