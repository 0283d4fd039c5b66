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
/// after its rows are durably committed.
/// </summary>
public sealed partial class MessageWriter(IOptions<StorageOptions> options, ILogger<MessageWriter> logger) : BackgroundService
{
    /// <summary>Rows per transaction at most, so one commit never holds the write lock for long.</summary>
    private const int MaxRowsPerCommit = 10_000;

    private const string InsertSql = """
        INSERT INTO Messages (SourceId, MessageId, Type, UserId, AnonymousId, GroupId, Event, ReceivedAt, Timestamp, Payload, Status, StatusReason)
        VALUES ($source, $messageId, $type, $userId, $anonymousId, $groupId, $event, $receivedAt, $timestamp, $payload, $status, $reason)
        ON CONFLICT (SourceId, MessageId) DO NOTHING
        """;

    private readonly Channel<PendingWrite> queue = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private SqliteConnection? connection;
    private SqliteCommand? insert;

    private int writesInFlight;

    /// <summary>Requests handed to the writer and not yet answered: queued or in the commit under way.</summary>
    public int WritesInFlight => Volatile.Read(ref writesInFlight);

    /// <summary>Raised after each commit, with the number of new rows; used to wake the dispatcher.</summary>
    public event Action<int>? Committed;

    /// <summary>
    /// Stores the calls in one transaction. Returns, per call, whether it was new (false: a duplicate
    /// of a call already stored from the same source). Throws <see cref="StorageUnavailableException"/>
    /// when nothing could be stored.
    /// </summary>
    public Task<IReadOnlyList<bool>> WriteAsync(string sourceId, DateTime receivedAtUtc, IReadOnlyList<IncomingCall> calls)
    {
        var write = new PendingWrite(sourceId, receivedAtUtc, calls);
        if (!queue.Writer.TryWrite(write))
        {
            return Task.FromException<IReadOnlyList<bool>>(new StorageUnavailableException("The relay is shutting down"));
        }

        Interlocked.Increment(ref writesInFlight);
        return AnsweredAsync(write.Completion.Task);
    }

    private async Task<IReadOnlyList<bool>> AnsweredAsync(Task<IReadOnlyList<bool>> commit)
    {
        try
        {
            return await commit;
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

        insert?.Dispose();
        connection?.Dispose();
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        try
        {
            var results = Insert(group);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Completion.TrySetResult(results[i]);
            }

            Committed?.Invoke(results.Sum(r => r.Count(isNew => isNew)));
        }
        catch (SqliteException exception) when (exception.IsStorageFailure())
        {
            LogStorageFailure(exception.SqliteErrorCode, exception.Message);
            var failure = new StorageUnavailableException("The database cannot take writes right now", exception);
            group.ForEach(write => write.Completion.TrySetException(failure));
        }
        catch (Exception exception) when (group.Count > 1)
        {
            // Something in one request broke the shared transaction: commit each alone so the others still land.
            LogGroupSplit(exception);
            group.ForEach(write => CommitGroup([write]));
        }
        catch (Exception exception)
        {
            group[0].Completion.TrySetException(exception);
        }
    }

    private List<IReadOnlyList<bool>> Insert(List<PendingWrite> group)
    {
        var command = PrepareInsert();
        var results = new List<IReadOnlyList<bool>>(group.Count);
        try
        {
            using var transaction = connection!.BeginTransaction();
            command.Transaction = transaction;
            foreach (var write in group)
            {
                var stored = new bool[write.Calls.Count];
                for (var i = 0; i < stored.Length; i++)
                {
                    Bind(command, write, write.Calls[i]);
                    stored[i] = command.ExecuteNonQuery() == 1;
                }

                results.Add(stored);
            }

            transaction.Commit();
            return results;
        }
        catch
        {
            // Start from a fresh connection next time: after an I/O error the old one may be unusable.
            insert?.Dispose();
            connection?.Dispose();
            insert = null;
            connection = null;
            throw;
        }
    }

    private SqliteCommand PrepareInsert()
    {
        if (insert is not null)
        {
            return insert;
        }

        var timeout = options.Value.WriteTimeoutSeconds;
        var builder = new SqliteConnectionStringBuilder(options.Value.ConnectionString) { DefaultTimeout = timeout };
        connection = new SqliteConnection(builder.ToString());
        connection.Open();
        new SqlitePragmas(timeout * 1000).Apply(connection);

        insert = connection.CreateCommand();
        insert.CommandText = InsertSql;
        foreach (var name in (ReadOnlySpan<string>)["$source", "$messageId", "$type", "$userId", "$anonymousId", "$groupId",
                     "$event", "$receivedAt", "$timestamp", "$payload", "$status", "$reason"])
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        insert.Prepare();
        return insert;
    }

    private static void Bind(SqliteCommand command, PendingWrite write, IncomingCall call)
    {
        var p = command.Parameters;
        p[0].Value = write.SourceId;
        p[1].Value = call.MessageId;
        p[2].Value = (object?)call.Type ?? DBNull.Value;
        p[3].Value = (object?)call.UserId ?? DBNull.Value;
        p[4].Value = (object?)call.AnonymousId ?? DBNull.Value;
        p[5].Value = (object?)call.GroupId ?? DBNull.Value;
        p[6].Value = (object?)call.Event ?? DBNull.Value;
        p[7].Value = write.ReceivedAtUtc;
        p[8].Value = (object?)call.TimestampUtc ?? DBNull.Value;
        p[9].Value = call.Json;
        p[10].Value = (int)(call.Invalid is null ? MessageStatus.Pending : MessageStatus.Invalid);
        p[11].Value = call.Invalid is { } problem ? $"{problem.Code}: {problem.Message}" : DBNull.Value;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store incoming calls (SQLite error {Code}): {Reason}; answering 503")]
    private partial void LogStorageFailure(int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit failed; committing its requests one by one")]
    private partial void LogGroupSplit(Exception exception);

    private sealed record PendingWrite(string SourceId, DateTime ReceivedAtUtc, IReadOnlyList<IncomingCall> Calls)
    {
        public TaskCompletionSource<IReadOnlyList<bool>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
