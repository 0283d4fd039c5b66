using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Segment;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage;

/// <summary>
/// Stores incoming calls with group commit (see <see cref="GroupCommitQueue{TItem}"/>): one
/// fsync acknowledges many requests. A call already stored from the same source (same
/// messageId) is skipped, which makes client retries harmless.
/// </summary>
public sealed partial class MessageWriter(IOptions<StorageOptions> options, RelayMetrics metrics, ILogger<MessageWriter> logger)
    : GroupCommitQueue<MessageWriter.Write>(metrics, "ingest")
{
    private const string InsertSql = """
        INSERT INTO Messages (SourceId, MessageId, Type, UserId, AnonymousId, GroupId, Event, ReceivedAt, Timestamp, Payload, Status, StatusReason)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (SourceId, MessageId) DO NOTHING
        """;

    private SqliteConnection? connection;
    private MessageInsert? insert;

    /// <summary>Only the commit loop touches it, so one is reused.</summary>
    private readonly CallTally received = new();

    /// <summary>Raised after each commit, with the number of new rows; used to wake the dispatcher.</summary>
    public event Action<int>? Committed;

    /// <summary>Requests handed to the writer and not yet answered.</summary>
    public int WritesInFlight => ItemsInFlight;

    /// <summary>Rows per transaction at most.</summary>
    protected override int MaxWeightPerCommit => 10_000;

    /// <summary>
    /// Stores the calls in one transaction; completes once they are durably committed. Throws
    /// <see cref="StorageUnavailableException"/> when nothing could be stored.
    /// </summary>
    public Task WriteAsync(string sourceId, DateTime receivedAtUtc, IReadOnlyList<IncomingCall> calls) =>
        EnqueueAsync(new Write(sourceId, receivedAtUtc, calls));

    protected override int Weight(Write item) => item.Calls.Count;

    protected override void Commit(IReadOnlyList<Write> items)
    {
        OpenConnection();
        using var transaction = connection!.BeginTransaction();
        var added = 0;
        var activity = new HourlyActivityCounter();
        received.Clear();
        foreach (var write in items)
        {
            foreach (var call in write.Calls)
            {
                if (insert!.Execute(write.SourceId, write.ReceivedAtUtc, call) == 1)
                {
                    added++;
                    activity.Received(write.ReceivedAtUtc);
                    received.Add(call.Type, call.Invalid is null ? CallOutcome.Stored : CallOutcome.Invalid);
                }
                else
                {
                    received.Add(call.Type, CallOutcome.Duplicate);
                }
            }
        }

        activity.Write(connection, transaction);
        transaction.Commit();
        received.Flush(Metrics);
        Committed?.Invoke(added);
    }

    protected override Exception StorageFailure(SqliteException exception)
    {
        LogStorageFailure(exception.SqliteErrorCode, exception.Message);
        return new StorageUnavailableException("The database cannot take writes right now", exception);
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

        var timeout = options.Value.WriteTimeoutSeconds;
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString) { DefaultTimeout = timeout };
        connection = new SqliteConnection(builder.ToString());
        connection.Open();
        new SqlitePragmas(timeout * 1000).Apply(connection);
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

    /// <summary>One request's calls, stored together.</summary>
    public sealed record Write(string SourceId, DateTime ReceivedAtUtc, IReadOnlyList<IncomingCall> Calls);
}
