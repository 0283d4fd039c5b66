using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>
/// Taking the dispatcher role: on SQLite this process is the only one on its database (a second
/// one refuses to start), so at start no claim can belong to a live dispatcher. Every call left
/// Delivering was cut off by a crash and is due again at once, ahead of the first dispatch, instead
/// of waiting out its lease (the lease stays the backstop for a live process that hangs). A request
/// cut off that way may have reached Userlist: it is sent again (at-least-once), and the count is
/// logged and counted (<c>userlist_relay.delivery.resent_after_crash</c>) as possible duplicates.
/// </summary>
public sealed partial class DispatcherRole(IDbContextFactory<RelayDbContext> databases, RelayMetrics metrics, ILogger<DispatcherRole> logger)
    : IHostedService
{
    /// <summary>Calls that were in flight when the last run of the relay ended without a planned stop.</summary>
    public int ResumedAtStart { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        ResumedAtStart = await db.Messages.ReturnToQueueAsync(cancellationToken);
        if (ResumedAtStart > 0)
        {
            LogResumed(ResumedAtStart);
            metrics.ResentAfterCrash(ResumedAtStart);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} calls were on their way to Userlist when the relay last stopped without finishing; " +
        "they are due again now (any that had reached Userlist will arrive twice)")]
    private partial void LogResumed(int count);
}
