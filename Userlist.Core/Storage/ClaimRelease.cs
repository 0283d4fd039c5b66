using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

public static class ClaimRelease
{
    /// <summary>
    /// Returns claimed calls to the queue as they were before the claim, due again at once: Pending,
    /// or Retrying when an attempt was already made (so the retry policy keeps counting). Returns how many.
    /// </summary>
    public static Task<int> ReturnToQueueAsync(this IQueryable<Message> claimed, CancellationToken cancellationToken) =>
        claimed.Where(m => m.Status == MessageStatus.Delivering)
            .ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, x => x.AttemptCount > 0 ? MessageStatus.Retrying : MessageStatus.Pending)
                .SetProperty(x => x.LeaseToken, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null), cancellationToken);
}
