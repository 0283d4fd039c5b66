using Microsoft.Extensions.Hosting;

namespace Userlist.Core.Storage;

/// <summary>
/// A service that does its work in the host's Starting phase: before any hosted service starts,
/// so the database is ready (locked, created, migrated) before the web server and the writers run.
/// </summary>
public abstract class StartingPhase : IHostedLifecycleService
{
    public abstract Task StartingAsync(CancellationToken cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
