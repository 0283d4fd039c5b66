using Microsoft.Extensions.Hosting;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// Wakes delivery whenever calls are committed (by this instance's ingest, or by another instance
/// on PostgreSQL), and when this instance takes the dispatcher role, for calls left waiting. The
/// writer and this service are singletons of the same host: the subscription lasts as long as the
/// writer, so calls committed while the host stops still wake delivery.
/// </summary>
internal sealed class DispatchOnCommit(DispatchSignal signal, MessageWriter writer, IDispatcherRole role) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Off the writer's thread: enqueuing touches Hangfire's database, and ingest must not wait for it.
        writer.Committed += added =>
        {
            if (added > 0)
            {
                _ = Task.Run(signal.Nudge, CancellationToken.None);
            }
        };
        role.CallsCommittedElsewhere += () => _ = Task.Run(signal.Nudge, CancellationToken.None);
        role.Changed += isDispatcher =>
        {
            if (isDispatcher)
            {
                _ = Task.Run(signal.Nudge, CancellationToken.None);
            }
        };
        signal.Nudge();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
