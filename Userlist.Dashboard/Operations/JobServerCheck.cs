using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Userlist.Dashboard.Operations;

/// <summary>Ready only while Hangfire's server, which runs every delivery pass, is beating.</summary>
internal sealed class JobServerCheck(JobStorage storage) : IHealthCheck
{
    /// <summary>Two missed heartbeats: Hangfire's server beats every 30 s.</summary>
    private static readonly TimeSpan Recent = TimeSpan.FromMinutes(1);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Hangfire stamps heartbeats with the system clock, whatever clock the relay's logic is given.
        var since = TimeProvider.System.GetUtcNow().UtcDateTime - Recent;
        var beating = storage.GetMonitoringApi().Servers().Count(server => server.Heartbeat >= since);
        return Task.FromResult(beating > 0
            ? HealthCheckResult.Healthy("the job server is running")
            : HealthCheckResult.Unhealthy($"no job server has reported in the last {Recent.TotalSeconds:0} s: nothing is delivered"));
    }
}
