using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

public static class ClaimRelease
{
    /// <summary>
    /// Returns claimed calls to the queue as they were before the claim, due again at once: Retrying
    /// when claimed as a retry (an attempt made and a time to retry at, which has come), otherwise
    /// Pending, as a call with attempts is after a refused key. Retrying without a time would never
    /// fall due, and hold its user's later calls for good. Returns how many.
    /// </summary>
    public static Task<int> ReturnToQueueAsync(this IQueryable<Message> claimed, CancellationToken cancellationToken) =>
        claimed.Where(m => m.Status == MessageStatus.Delivering)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, x => x.AttemptCount > 0 && x.NextAttemptAt != null ? MessageStatus.Retrying : MessageStatus.Pending)
                .SetProperty(x => x.LeaseToken, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null), cancellationToken);
}
