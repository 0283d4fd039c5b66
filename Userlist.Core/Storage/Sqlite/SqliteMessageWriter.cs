using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>Ingest's rows on SQLite: one prepared INSERT per call on a connection of the writer's own.</summary>
internal sealed partial class SqliteMessageWriter(SqliteConnections connections, RelayMetrics metrics, ILogger<SqliteMessageWriter> logger)
    : MessageWriter(connections, metrics)
{
    private const string InsertSql = """
        INSERT INTO Messages (SourceId, MessageId, Type, UserId, AnonymousId, GroupId, Event, ReceivedAt, Timestamp, Payload, Status, StatusReason)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (SourceId, MessageId) DO NOTHING
        """;

    private SqliteConnection? connection;
    private MessageInsert? insert;

    protected override void Commit(IReadOnlyList<Write> items)
    {
        OpenConnection();
        using var transaction = connection!.BeginTransaction();
        var count = CountEach(items, (write, call) => insert!.Execute(write.SourceId, write.ReceivedAtUtc, call) == 1);

        count.Hours.Write(connection, transaction);
        transaction.Commit();
        CommitDone(count);
    }

    protected override Exception StorageFailure(Exception exception)
    {
        LogStorageFailure(((SqliteException)exception).SqliteErrorCode, exception.Message);
        return base.StorageFailure(exception);
    }

    protected override void Reset()
    {
        insert?.Dispose();
        connection?.Dispose();
        (insert, connection) = (null, null);
    }

    private void OpenConnection()
    {
        if (connection is not null)
        {
            return;
        }

        connection = connections.Open();
        using (var tuning = connection.CreateCommand())
        {
            // Keep the indexes' hot pages in memory, and leave checkpoints to WalCheckpointer so
            // that copying the WAL into the database never stalls a commit.
            tuning.CommandText = "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=0;";
            tuning.ExecuteNonQuery();
        }

        insert = new MessageInsert(connection, InsertSql);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store incoming calls (SQLite error {Code}): {Reason}; answering 503")]
    private partial void LogStorageFailure(int code, string reason);
}
