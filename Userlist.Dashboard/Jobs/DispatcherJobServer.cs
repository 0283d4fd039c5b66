using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Jobs;

/// <summary>
/// On PostgreSQL every instance shares Hangfire's queues, but only the dispatcher may run the
/// dispatch job: its job server for the <c>delivery</c> queue runs while this instance holds the
/// dispatcher role, and stops (letting a pass under way finish) when it loses it. The other job
/// servers serve the <c>default</c> queue everywhere.
/// </summary>
internal sealed class DispatcherJobServer(IDispatcherRole role, IServiceProvider services, IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly Lock gate = new();
    private BackgroundJobServer? server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        role.Changed += Follow;
        Follow(role.IsDispatcher);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        role.Changed -= Follow;
        // Disposing waits for the dispatch job (up to the server's shutdown timeout): it records what it sent.
        return Task.Run(() => Follow(false), CancellationToken.None);
    }

    private void Follow(bool isDispatcher)
    {
        lock (gate)
        {
            if (isDispatcher && server is null && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                var options = new BackgroundJobServerOptions();
                JobsSetup.ConfigureServer(options, services, ["delivery"], workers: 2);
                var filters = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers;
                var activator = services.GetRequiredService<JobActivator>();
                // The constructor AddHangfireServer's own hosted service uses, with this host's services
                // (never Hangfire's static ones); Hangfire marks it for removal in 2.0.
#pragma warning disable CS0618
                server = new BackgroundJobServer(
                    options,
                    services.GetRequiredService<JobStorage>(),
                    [],
                    filters,
                    activator,
                    services.GetService<IBackgroundJobFactory>() ?? new BackgroundJobFactory(filters),
                    services.GetService<IBackgroundJobPerformer>() ?? new BackgroundJobPerformer(filters, activator),
                    services.GetService<IBackgroundJobStateChanger>() ?? new BackgroundJobStateChanger(filters));
#pragma warning restore CS0618
            }
            else if (!isDispatcher && server is not null)
            {
                server.Dispose();
                server = null;
            }
        }
    }
}
