using Hangfire;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Jobs;

/// <summary>
/// At start: registers the recurring jobs (a dispatch every minute, the safety net behind the
/// nudge, and the daily retention clean-up), wakes delivery whenever ingest commits new calls,
/// and dispatches once for calls left waiting by the last run.
/// </summary>
internal sealed class RecurringJobs(IRecurringJobManager recurring, DispatchSignal signal, MessageWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<DispatchJob>("dispatch", job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<RetentionJob>("retention", job => job.RunAsync(CancellationToken.None), Cron.Daily(3));

        // Off the writer's thread: enqueuing touches Hangfire's database, and ingest must not wait for it.
        writer.Committed += added =>
        {
            if (added > 0)
            {
                _ = Task.Run(signal.Nudge, CancellationToken.None);
            }
        };
        signal.Nudge();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
