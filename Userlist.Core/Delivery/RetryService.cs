using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// Manual retries for the dashboard: Failed, Rejected or Skipped calls go back to Pending and are
/// mapped again, with the mapping and key in force then. Their attempts are kept.
/// </summary>
public sealed class RetryService(IDbContextFactory<RelayDbContext> databases, DispatchSignal signal, TimeProvider time)
{
    /// <summary>Retries one call; false when it is not in a status that can be retried.</summary>
    public async Task<bool> RetryAsync(long messageRowId, CancellationToken cancellationToken) =>
        await RetryWhereAsync(m => m.Id == messageRowId, cancellationToken) == 1;

    /// <summary>Retries every retryable call the filter selects; returns how many.</summary>
    public async Task<int> RetryWhereAsync(System.Linq.Expressions.Expression<Func<Message, bool>> filter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var count = await db.Messages.Where(filter).Where(m => m.Status == MessageStatus.Failed || m.Status == MessageStatus.Rejected || m.Status == MessageStatus.Skipped)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, MessageStatus.Pending)
                .SetProperty(x => x.StatusReason, (string?)null)
                .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                .SetProperty(x => x.AttemptCount, 0)
                .SetProperty(x => x.UpdatedAt, now), cancellationToken);
        if (count > 0)
        {
            signal.Nudge();
        }

        return count;
    }
}
