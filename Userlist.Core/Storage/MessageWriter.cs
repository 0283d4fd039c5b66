using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Segment;
using Userlist.Core.Settings;

namespace Userlist.Core.Storage;

/// <summary>
/// Stores incoming calls with group commit: every request waiting when a commit starts goes into
/// the same transaction, so one fsync acknowledges many requests. A request's task completes only
/// after its rows are durably committed. A call already stored from the same source (same
/// messageId) is skipped, which makes client retries harmless.
/// </summary>
public sealed partial class MessageWriter(IOptions<StorageOptions> options, ILogger<MessageWriter> logger) : BackgroundService
{
    /// <summary>Rows per transaction at most, so one commit never holds the write lock for long.</summary>
    private const int MaxRowsPerCommit = 10_000;

    private const string InsertSql = """
        INSERT INTO Messages (SourceId, MessageId, Type, UserId, AnonymousId, GroupId, Event, ReceivedAt, Timestamp, Payload, Status, StatusReason)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
        ON CONFLICT (SourceId, MessageId) DO NOTHING
        """;

    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private SqliteConnection? connection;
    private MessageInsert? insert;
    private int writesInFlight;

    /// <summary>Requests handed to the writer and not yet answered: queued or in the commit under way.</summary>
    public int WritesInFlight => Volatile.Read(ref writesInFlight);

    /// <summary>Raised after each commit, with the number of new rows; used to wake the dispatcher.</summary>
    public event Action<int>? Committed;

    /// <summary>
    /// Stores the calls in one transaction; completes once they are durably committed. Throws
    /// <see cref="StorageUnavailableException"/> when nothing could be stored.
    /// </summary>
    public async Task WriteAsync(string sourceId, DateTime receivedAtUtc, IReadOnlyList<IncomingCall> calls)
    {
        var write = new PendingWrite(sourceId, receivedAtUtc, calls);
        if (!queue.Writer.TryWrite(write))
        {
            throw new StorageUnavailableException("The relay is shutting down");
        }

        Interlocked.Increment(ref writesInFlight);
        try
        {
            await write.Committed.Task;
        }
        finally
        {
            Interlocked.Decrement(ref writesInFlight);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking writes, then let the loop commit what is already queued.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<PendingWrite>();
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            var rows = 0;
            while (rows < MaxRowsPerCommit && queue.Reader.TryRead(out var write))
            {
                group.Add(write);
                rows += write.Calls.Count;
            }

            CommitGroup(group);
        }

        CloseConnection();
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        try
        {
            var added = Insert(group);
            group.ForEach(write => write.Committed.TrySetResult());
            Committed?.Invoke(added);
        }
        catch (SqliteException exception) when (exception.IsStorageFailure())
        {
            LogStorageFailure(exception.SqliteErrorCode, exception.Message);
            var failure = new StorageUnavailableException("The database cannot take writes right now", exception);
            group.ForEach(write => write.Committed.TrySetException(failure));
        }
        catch (Exception exception) when (group.Count > 1)
        {
            // Something in one request broke the shared transaction: commit each alone so the others still land.
            LogGroupSplit(exception);
            group.ForEach(write => CommitGroup([write]));
        }
        catch (Exception exception)
        {
            group[0].Committed.TrySetException(exception);
        }
    }

    /// <summary>Inserts the group in one transaction; returns how many rows were new.</summary>
    private int Insert(List<PendingWrite> group)
    {
        try
        {
            OpenConnection();
            using var transaction = connection!.BeginTransaction();
            var added = 0;
            foreach (var write in group)
            {
                foreach (var call in write.Calls)
                {
                    added += insert!.Execute(write.SourceId, write.ReceivedAtUtc, call);
                }
            }

            transaction.Commit();
            return added;
        }
        catch
        {
            // Start from a fresh connection next time: after an I/O error the old one may be unusable.
            CloseConnection();
            throw;
        }
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
            tuning.CommandText = "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=0;";
            tuning.ExecuteNonQuery();
        }

        insert = new MessageInsert(connection, InsertSql);
    }

    private void CloseConnection()
    {
        insert?.Dispose();
        connection?.Dispose();
        (insert, connection) = (null, null);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store incoming calls (SQLite error {Code}): {Reason}; answering 503")]
    private partial void LogStorageFailure(int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit failed; committing its requests one by one")]
    private partial void LogGroupSplit(Exception exception);

    private sealed record PendingWrite(string SourceId, DateTime ReceivedAtUtc, IReadOnlyList<IncomingCall> Calls)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
