using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Sqlite;

public static class SqliteStorage
{
    /// <summary>
    /// SQLite: one process on one file. Its lock and the file come first among the hosted services,
    /// so no other relay is on the database and the file is owner-only before anything opens it.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddSingleton<SqliteWriteTurns>();
        services.AddSingleton<SqliteWriteTurnInterceptor>();
        services.AddDbContextFactory<SqliteRelayDbContext>((provider, db) => db.UseRelaySqlite(provider));
        services.AddSingleton<IDbContextFactory<RelayDbContext>, RelayContexts<SqliteRelayDbContext>>();
        services.AddSingleton<SqliteConnections>();
        services.AddSingleton<IStorageConnections>(provider => provider.GetRequiredService<SqliteConnections>());

        services.AddSingleton<DatabaseFileLock>();
        services.AddSingleton<IProcessLock>(provider => provider.GetRequiredService<DatabaseFileLock>());
        services.AddHostedService(provider => provider.GetRequiredService<DatabaseFileLock>());
        services.AddHostedService<SqliteDatabaseFile>();

        services.AddSingleton<MessageWriter, SqliteMessageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageWriter>());
        services.AddHostedService<WalCheckpointer>();
        services.AddHostedService<SearchIndexer>();
        services.AddSingleton<ISearchIndex, SqliteSearchIndex>();
        services.AddSingleton<ICallClaims, SqliteCallClaims>();
        services.AddSingleton<BackupService>();
        // Before the job server starts: calls a crashed run left Delivering are due again at once.
        services.AddSingleton<SqliteDispatcherRole>();
        services.AddSingleton<IDispatcherRole>(provider => provider.GetRequiredService<SqliteDispatcherRole>());
        services.AddHostedService(provider => provider.GetRequiredService<SqliteDispatcherRole>());
        return services;
    }

    /// <summary>
    /// A context on the relay's SQLite file, set up as its own connections are: durable commits, the
    /// write timeout (the driver's own retry would wait 30 s), and writes in turn with the relay's other writers.
    /// </summary>
    public static DbContextOptionsBuilder UseRelaySqlite(this DbContextOptionsBuilder db, IServiceProvider provider,
        Action<SqliteDbContextOptionsBuilder>? sqlite = null)
    {
        var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        var connection = new SqliteConnectionStringBuilder(storage.ConnectionString) { DefaultTimeout = storage.WriteTimeoutSeconds };
        return db.UseSqlite(connection.ToString(), sqlite)
            .AddInterceptors(new SqlitePragmas(storage.WriteTimeoutSeconds * 1000), provider.GetRequiredService<SqliteWriteTurnInterceptor>());
    }
}
