using System.Data.Common;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// Another connection's write transaction on the relay's database, held until released or
/// disposed: nothing else can store calls meanwhile (SQLite's one write lock; on PostgreSQL a lock
/// on the call table that lets reads through).
/// </summary>
public sealed class DatabaseLock : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;

    private DatabaseLock(DbConnection connection, DbTransaction transaction) =>
        (this.connection, this.transaction) = (connection, transaction);

    public static async Task<DatabaseLock> HoldAsync(TestDatabase database)
    {
        var connection = await database.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = database.Kind == StorageKind.Sqlite
            ? "UPDATE Messages SET StatusReason = 'held' WHERE 0"
            : """LOCK TABLE "Messages" IN EXCLUSIVE MODE""";
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
