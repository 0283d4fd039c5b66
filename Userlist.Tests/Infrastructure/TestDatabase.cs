using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The database a test's relay keeps its data in, on either provider: a SQLite file in a folder,
/// or a database of its own on the test run's PostgreSQL server. Relays made on it one after
/// another (a restart) see the same data; disposing it deletes what <see cref="CreateAsync"/> made.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly TemporaryFolder? ownFolder;
    private readonly bool ownsPostgresDatabase;

    private TestDatabase(StorageKind kind, string connectionString, TemporaryFolder? ownFolder = null, bool ownsPostgresDatabase = false)
    {
        Kind = kind;
        ConnectionString = connectionString;
        this.ownFolder = ownFolder;
        this.ownsPostgresDatabase = ownsPostgresDatabase;
    }

    public StorageKind Kind { get; }

    /// <summary>The relay's <c>ConnectionStrings:Userlist</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>The relay's configuration for this database, as keys (<c>Storage:Provider</c>, <c>ConnectionStrings:Userlist</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Storage:Provider"] = Kind.ToString(),
        ["ConnectionStrings:Userlist"] = ConnectionString,
    };

    /// <summary>The same configuration as environment variables, for the relay run as a process.</summary>
    public Dictionary<string, string?> Environment =>
        Settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => (string?)setting.Value);

    /// <summary>The SQLite file; only SQLite has one.</summary>
    public string SqlitePath => Kind == StorageKind.Sqlite
        ? new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : throw new InvalidOperationException("A PostgreSQL database has no file");

    /// <summary>
    /// A new, empty database: a SQLite file in a temporary folder, or a PostgreSQL database; both
    /// removed on dispose. PostgreSQL's skips the test (fails it under CI=true) when PostgreSQL is
    /// not installed.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(StorageKind kind)
    {
        if (kind == StorageKind.Postgres)
        {
            return new(kind, await PostgresServer.CreateDatabaseAsync(), ownsPostgresDatabase: true);
        }

        var folder = new TemporaryFolder();
        return new(kind, SqliteConnectionString(folder.Path), folder);
    }

    /// <summary>The SQLite file relay.db in a folder the caller keeps.</summary>
    public static TestDatabase Sqlite(string folder) => new(StorageKind.Sqlite, SqliteConnectionString(folder));

    /// <summary>SQLite always is; PostgreSQL when its server programs are.</summary>
    public static bool IsInstalled(StorageKind kind) => kind == StorageKind.Sqlite || PostgresServer.IsInstalled;

    /// <summary>Skips the test (fails it under CI=true) when the provider is not installed.</summary>
    public static void SkipUnlessInstalled(StorageKind kind)
    {
        if (kind == StorageKind.Postgres)
        {
            PostgresServer.SkipUnlessInstalled();
        }
    }

    /// <summary>A connection of the test's own, opened, to look at what the relay stored (or to hold its locks).</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = Kind == StorageKind.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        ownFolder?.Dispose();
        if (ownsPostgresDatabase)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
        }
    }

    private static string SqliteConnectionString(string folder) => $"Data Source={RelayProcess.DatabasePath(folder)}";
}
