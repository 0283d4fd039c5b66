using Hangfire;
using Userlist.Core.Storage;

namespace Userlist.Core.Alerts;

/// <summary>
/// Every minute: evaluates the alert conditions and sends the alerts due (new ones and retries).
/// On the delivery queue, which only the dispatcher serves, and skipped elsewhere: one instance
/// looks, and the state rows keep even a handover from announcing twice. Safe to run twice.
/// </summary>
public sealed class AlertsJob(IDispatcherRole role, AlertMonitor monitor, AlertOutbox outbox)
{
    [AutomaticRetry(Attempts = 0)]
    [Queue("delivery")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!role.IsDispatcher)
        {
            return;
        }

        await monitor.EvaluateAsync(cancellationToken);
        await outbox.SendDueAsync(cancellationToken);
    }
}
