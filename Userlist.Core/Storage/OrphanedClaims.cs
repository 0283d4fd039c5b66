using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage;

/// <summary>
/// What taking the dispatcher role does first: every call left Delivering was claimed by a
/// dispatcher that is gone (a crash), so it is due again at once, ahead of the first dispatch,
/// instead of waiting out its lease (the lease stays the backstop for a live process that hangs). A
/// request cut off that way may have reached Userlist: it is sent again (at-least-once), and the
/// count is logged and counted (<c>userlist_relay.delivery.resent_after_crash</c>) as possible duplicates.
/// </summary>
public sealed partial class OrphanedClaims(IDbContextFactory<RelayDbContext> databases, RelayMetrics metrics, ILogger<OrphanedClaims> logger)
{
    /// <summary>Returns them to the queue; returns how many there were.</summary>
    public async Task<int> ReturnAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var returned = await db.Messages.ReturnToQueueAsync(cancellationToken);
        if (returned > 0)
        {
            LogResumed(returned);
            metrics.ResentAfterCrash(returned);
        }

        return returned;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} calls were on their way to Userlist when their dispatcher stopped without finishing; " +
        "they are due again now (any that had reached Userlist will arrive twice)")]
    private partial void LogResumed(int count);
}
