using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// The database file, ready before the migrations run: its folder and the file itself created
/// owner-only (they hold every call and the encrypted Push API key), and WAL on, so readers never
/// block ingest.
/// </summary>
internal sealed class SqliteDatabaseFile(IOptions<StorageOptions> options, SqliteConnections connections) : StartingPhase
{
    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        if (SqliteConnectionString.FilePath(options.Value.ConnectionString) is { } file)
        {
            OwnerOnly.CreateFolder(Path.GetDirectoryName(file)!);
            OwnerOnly.CreateDatabaseFile(file);
        }

        using var connection = connections.Open();
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        wal.ExecuteNonQuery();
        return Task.CompletedTask;
    }
}
