using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>
/// Every few minutes: anonymous calls that have waited longer than <c>Delivery:IdentityWaitHours</c>
/// for an identify or alias naming them are Rejected, with the reason (design §10). The wait counts
/// from when the call began waiting, so a backlog or a paused delivery does not eat into it.
/// With the setting at 0, every waiting call is Rejected at the next run, as before stitching.
/// </summary>
public sealed partial class WaitingExpiryJob(
    IDbContextFactory<RelayDbContext> databases,
    IdentityStitching stitching,
    RelayMetrics metrics,
    TimeProvider time,
    ILogger<WaitingExpiryJob> logger)
{
    /// <summary>Rows per statement, so the write lock is never held long against ingest.</summary>
    private const int Chunk = 5_000;

    [AutomaticRetry(Attempts = 3)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var window = stitching.Window;
        var now = time.GetUtcNow().UtcDateTime;
        var cutoff = now - window;
        var reason = IdentityStitching.ExpiredReason(window);
        var rejected = 0;
        while (true)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var ids = await db.Messages.Where(m => m.Status == MessageStatus.Waiting && m.UpdatedAt <= cutoff)
                .OrderBy(m => m.Id).Select(m => m.Id).Take(Chunk).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Status checked again: a link may have released some since they were read.
            var expired = await db.Messages.Where(m => ids.Contains(m.Id) && m.Status == MessageStatus.Waiting)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.Status, MessageStatus.Rejected)
                    .SetProperty(m => m.StatusReason, reason).SetProperty(m => m.UpdatedAt, now), cancellationToken);
            var activity = new HourlyActivityCounter();
            activity.Outcome(now, MessageStatus.Rejected, expired);
            activity.Write(db.Database.GetDbConnection(), transaction.GetDbTransaction());
            await transaction.CommitAsync(cancellationToken);
            metrics.DeliveriesEnded("rejected", expired);
            rejected += expired;
        }

        if (rejected > 0)
        {
            LogExpired(rejected, window.TotalHours);
        }

        return rejected;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} anonymous calls waited {Hours} hours for an identify or alias naming them and are Rejected")]
    private partial void LogExpired(int count, double hours);
}
