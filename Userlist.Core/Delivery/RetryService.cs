using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// Manual retries from the dashboard: Failed, Rejected or Skipped calls go back to Pending and are
/// mapped again, with the mapping and key in force then. Their attempts are kept, and every retry
/// is in the audit log (who, when, how many). A retried call goes on a request of its own, never
/// merged with other calls (coalescing), so the operator sees Userlist's answer to that call.
/// </summary>
public sealed class RetryService(IDbContextFactory<RelayDbContext> databases, MessageQueries queries, DispatchSignal signal, AuditLog audit, TimeProvider time)
{
    /// <summary>Calls per update, so a retry of a million calls never holds the write lock against ingest for long.</summary>
    private const int Chunk = 1_000;

    public static bool CanRetry(MessageStatus status) => status is MessageStatus.Failed or MessageStatus.Rejected or MessageStatus.Skipped;

    /// <summary>Retries one call; false when it is not in a status that can be retried.</summary>
    public Task<bool> RetryAsync(long messageRowId, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var retried = await RetryIdsAsync([messageRowId], cancellationToken) == 1;
        if (retried)
        {
            await audit.RecordAsync(operatorName, "Retry", $"Retried call {messageRowId}", messageRowId, cancellationToken);
        }

        return retried;
    });

    /// <summary>Retries the selected calls that can be retried; returns how many.</summary>
    public Task<int> RetrySelectedAsync(IReadOnlyCollection<long> messageRowIds, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var retried = 0;
        foreach (var chunk in messageRowIds.Chunk(Chunk))
        {
            retried += await RetryIdsAsync(chunk, cancellationToken);
        }

        await audit.RecordAsync(operatorName, "Retry", $"Retried {retried} of {messageRowIds.Count} selected calls", null, cancellationToken);
        return retried;
    });

    /// <summary>How many calls the filter selects that a retry would send again: the confirmation's count.</summary>
    public Task<int> CountRetryableAsync(MessageFilter filter, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await Retryable(await queries.FilteredAsync(db, filter, cancellationToken)).CountAsync(cancellationToken);
    });

    /// <summary>
    /// Retries every retryable call the filter selects, oldest first, a chunk at a time, reporting
    /// the running total. Only calls stored when it starts are considered, so a call that fails
    /// again at once is not picked up twice.
    /// </summary>
    public Task<int> RetryMatchingAsync(MessageFilter filter, string operatorName, IProgress<int>? progress, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var retried = 0;
        long after = 0;
        long last;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            last = await db.Messages.MaxAsync(m => (long?)m.Id, cancellationToken) ?? 0;
        }

        try
        {
            while (true)
            {
                long[] ids;
                await using (var db = await databases.CreateDbContextAsync(cancellationToken))
                {
                    var query = Retryable(await queries.FilteredAsync(db, filter, cancellationToken));
                    ids = await query.Where(m => m.Id > after && m.Id <= last).OrderBy(m => m.Id).Select(m => m.Id).Take(Chunk).ToArrayAsync(cancellationToken);
                }

                if (ids.Length == 0)
                {
                    break;
                }

                retried += await RetryIdsAsync(ids, cancellationToken);
                after = ids[^1];
                progress?.Report(retried);
            }
        }
        finally
        {
            // Recorded even when stopped part-way: those calls were retried.
            await audit.RecordAsync(operatorName, "Retry", $"Retried {retried} calls where {filter.Describe()}", null, CancellationToken.None);
        }

        return retried;
    });

    private static IQueryable<Message> Retryable(IQueryable<Message> messages) =>
        messages.Where(m => m.Status == MessageStatus.Failed || m.Status == MessageStatus.Rejected || m.Status == MessageStatus.Skipped);

    private async Task<int> RetryIdsAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var count = await Retryable(db.Messages.Where(m => ids.Contains(m.Id)))
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, MessageStatus.Pending)
                .SetProperty(x => x.StatusReason, (string?)null)
                .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                .SetProperty(x => x.AttemptCount, 0)
                .SetProperty(x => x.RetriedManually, true)
                .SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (count > 0)
        {
            signal.Nudge();
        }

        return count;
    }
}
