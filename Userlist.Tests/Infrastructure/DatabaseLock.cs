using Microsoft.Data.Sqlite;

namespace Userlist.Tests.Infrastructure;

/// <summary>Another process's write transaction on the relay's database, held until released or disposed.</summary>
public sealed class DatabaseLock : IAsyncDisposable
{
    private readonly SqliteConnection connection;
    private readonly SqliteTransaction transaction;

    private DatabaseLock(SqliteConnection connection, SqliteTransaction transaction) =>
        (this.connection, this.transaction) = (connection, transaction);

    public static async Task<DatabaseLock> HoldAsync(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath}");
        await connection.OpenAsync();
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = "UPDATE Messages SET StatusReason = 'held' WHERE 0";
        await write.ExecuteNonQueryAsync();
        return new DatabaseLock(connection, transaction);
    }

    public Task ReleaseAsync() => transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
