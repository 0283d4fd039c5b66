using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

/// <summary>
/// Brings the database up to date before anything else starts (it runs in the hosts's Starting
/// phase, ahead of the web server and the writer): creates its folder, applies the committed
/// migrations, and switches it to WAL so readers never block ingest.
/// </summary>
internal sealed class DatabaseInitializer(IDbContextFactory<RelayDbContext> databases, IOptions<StorageOptions> options, SettingsOverrides overrides)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var file = new SqliteConnectionStringBuilder(options.Value.ConnectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder) && file != ":memory:")
        {
            // Owner-only, as its files: they hold every call and the encrypted Push API key.
            OwnerOnly.CreateFolder(folder);
            OwnerOnly.CreateDatabaseFile(Path.GetFullPath(file));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

        // Settings saved in the dashboard can be read now that their table surely exists.
        overrides.Reload();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
