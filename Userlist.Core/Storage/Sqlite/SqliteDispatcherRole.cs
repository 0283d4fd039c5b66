using Microsoft.Extensions.Hosting;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// On SQLite this process is the only one on its database (a second one refuses to start), so it
/// is the dispatcher from its start, and at start no claim can belong to a live dispatcher.
/// </summary>
internal sealed class SqliteDispatcherRole(OrphanedClaims orphans) : IDispatcherRole, IHostedService
{
    public bool IsDispatcher { get; private set; }

    public bool IsShared => false;

    public string? Dispatcher => IsDispatcher ? "this process" : null;

    public event Action<bool>? Changed;

    /// <summary>Never raised: no other process writes this database.</summary>
    public event Action? CallsCommittedElsewhere
    {
        add { }
        remove { }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await orphans.ReturnAsync(cancellationToken);
        IsDispatcher = true;
        Changed?.Invoke(true);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
