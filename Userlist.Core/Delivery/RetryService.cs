using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>What an operator sends again: a retry takes Failed, Rejected and Skipped calls; a resend, Delivered ones (design §11).</summary>
public enum SendAgain
{
    Retry,
    Resend,
}

/// <summary>
/// Manual retries and resends from the dashboard: Failed, Rejected or Skipped calls (a retry), or
/// Delivered ones (a resend, after a loss in Userlist or into a new Userlist app), go back to
/// Pending and are mapped again, with the mapping, settings and key in force then. Their attempts
/// are kept, and each is in the audit log (who, when, how many). Such a call goes on a request of
/// its own, never merged with other calls (coalescing) nor skipped as unchanged, so the operator
/// sees Userlist's answer to that call.
/// </summary>
public sealed class RetryService(IDbContextFactory<RelayDbContext> databases, MessageQueries queries, DispatchSignal signal, AuditLog audit, TimeProvider time)
{
    /// <summary>Calls per update, so a retry of a million calls never holds the write lock against ingest for long.</summary>
    private const int Chunk = 1_000;

    public static bool CanRetry(MessageStatus status) => status is MessageStatus.Failed or MessageStatus.Rejected or MessageStatus.Skipped;

    public static bool CanResend(MessageStatus status) => status == MessageStatus.Delivered;

    /// <summary>Retries one call; false when it is not in a status that can be retried.</summary>
    public Task<bool> RetryAsync(long messageRowId, string operatorName, CancellationToken cancellationToken) =>
        SendOneAgainAsync(SendAgain.Retry, messageRowId, operatorName, $"Retried call {messageRowId}", cancellationToken);

    /// <summary>Sends one Delivered call again, to <paramref name="pushApiUrl"/> (named in the audit); false when it is not Delivered.</summary>
    public Task<bool> ResendAsync(long messageRowId, string operatorName, string pushApiUrl, CancellationToken cancellationToken) =>
        SendOneAgainAsync(SendAgain.Resend, messageRowId, operatorName, $"Resent call {messageRowId} to {pushApiUrl}", cancellationToken);

    private Task<bool> SendOneAgainAsync(SendAgain kind, long messageRowId, string operatorName, string description, CancellationToken cancellationToken) =>
        StorageCalls.RunAsync(async () =>
        {
            var done = await SendAgainAsync(kind, [messageRowId], cancellationToken) == 1;
            if (done)
            {
                await audit.RecordAsync(operatorName, kind.ToString(), description, messageRowId, cancellationToken);
            }

            return done;
        });

    /// <summary>Retries the selected calls that can be retried; returns how many.</summary>
    public Task<int> RetrySelectedAsync(IReadOnlyCollection<long> messageRowIds, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var retried = 0;
        foreach (var chunk in messageRowIds.Chunk(Chunk))
        {
            retried += await SendAgainAsync(SendAgain.Retry, chunk, cancellationToken);
        }

        await audit.RecordAsync(operatorName, "Retry", $"Retried {retried} of {messageRowIds.Count} selected calls", null, cancellationToken);
        return retried;
    });

    /// <summary>How many calls the filter selects that a retry (or resend) would send again: the confirmation's count.</summary>
    public Task<int> CountAsync(SendAgain kind, MessageFilter filter, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await Eligible(kind, await queries.FilteredAsync(db, filter, cancellationToken)).CountAsync(cancellationToken);
    });

    /// <summary>
    /// Retries (or resends) every such call the filter selects, oldest first, a chunk at a time,
    /// reporting the running total. Only calls stored when it starts are considered, so a call that
    /// fails again (or is delivered again) at once is not picked up twice. A resend's audit names
    /// the <paramref name="pushApiUrl"/> the calls go to.
    /// </summary>
    public Task<int> SendMatchingAgainAsync(SendAgain kind, MessageFilter filter, string operatorName, string? pushApiUrl, IProgress<int>? progress,
        CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
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
                    var query = Eligible(kind, await queries.FilteredAsync(db, filter, cancellationToken));
                    ids = await query.Where(m => m.Id > after && m.Id <= last).OrderBy(m => m.Id).Select(m => m.Id).Take(Chunk).ToArrayAsync(cancellationToken);
                }

                if (ids.Length == 0)
                {
                    break;
                }

                retried += await SendAgainAsync(kind, ids, cancellationToken);
                after = ids[^1];
                progress?.Report(retried);
            }
        }
        finally
        {
            // Recorded even when stopped part-way: those calls were retried.
            var description = kind == SendAgain.Retry
                ? $"Retried {Counted.Calls(retried)} where {filter.Describe()}"
                : $"Resent {Counted.Calls(retried, "Delivered")} where {filter.Describe()} to {pushApiUrl}";
            await audit.RecordAsync(operatorName, kind.ToString(), description, null, CancellationToken.None);
        }

        return retried;
    });

    private static IQueryable<Message> Eligible(SendAgain kind, IQueryable<Message> messages) => kind == SendAgain.Retry
        ? messages.Where(m => m.Status == MessageStatus.Failed || m.Status == MessageStatus.Rejected || m.Status == MessageStatus.Skipped)
        : messages.Where(m => m.Status == MessageStatus.Delivered);

    private async Task<int> SendAgainAsync(SendAgain kind, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var count = await Eligible(kind, db.Messages.Where(m => ids.Contains(m.Id)))
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
