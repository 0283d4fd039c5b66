using Hangfire;
using Userlist.Core.Alerts;
using Userlist.Core.Delivery;

namespace Userlist.Dashboard.Jobs;

/// <summary>
/// At start: registers the recurring jobs, a dispatch every minute (the safety net behind the
/// wake-up on commit, which Core wires), the alert conditions every minute, the expiry of anonymous calls waiting for an identity,
/// and the daily retention clean-up.
/// </summary>
internal sealed class RecurringJobs(IRecurringJobManager recurring) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<DispatchJob>("dispatch", job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<WaitingExpiryJob>("waiting-expiry", job => job.RunAsync(CancellationToken.None), "*/5 * * * *");
        recurring.AddOrUpdate<AlertsJob>("alerts", job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<RetentionJob>("retention", job => job.RunAsync(CancellationToken.None), Cron.Daily(3));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
