using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Ingest's rows on PostgreSQL: a commit's calls go as one INSERT of column arrays (one round trip
/// for up to 10,000 rows, in the order received so Ids follow arrival), skipping calls stored
/// before, and returning the keys it inserted, so each call is counted as stored or duplicate.
/// Two commits run side by side, each on a connection from the pool: the server inserts on one
/// core while the other commit waits for its flush or the relay parses the next requests.
/// </summary>
internal sealed partial class PostgresMessageWriter(PostgresConnections connections, RelayMetrics metrics, ILogger<PostgresMessageWriter> logger)
    : MessageWriter(connections, metrics)
{
    private const string InsertSql = """
        INSERT INTO "Messages" ("SourceId", "MessageId", "Type", "UserId", "AnonymousId", "GroupId", "Event", "ReceivedAt", "Timestamp", "Payload", "Status", "StatusReason", "AttemptCount")
        SELECT source, message, type, "user", anonymous, "group", event, received, timestamp, payload, status, reason, 0
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::int[], $12::text[])
            WITH ORDINALITY AS calls(source, message, type, "user", anonymous, "group", event, received, timestamp, payload, status, reason, position)
        ORDER BY position
        ON CONFLICT ("SourceId", "MessageId") DO NOTHING
        RETURNING "SourceId", "MessageId"
        """;

    protected override int CommitLoops => 2;

    /// <summary>
    /// The two commits can deadlock when they carry the same calls in a different order (a client
    /// retrying a batch while the first send is in flight): each waits on the other's uncommitted
    /// insert of a key. PostgreSQL then aborts one whole transaction, which stored nothing, so it
    /// runs again instead of answering its requests 503.
    /// </summary>
    private const int MostDeadlockRuns = 3;

    protected override void Commit(IReadOnlyList<Write> items)
    {
        for (var run = 1; ; run++)
        {
            try
            {
                CommitOnce(items);
                return;
            }
            catch (PostgresException deadlock) when (deadlock.SqlState == PostgresErrorCodes.DeadlockDetected && run < MostDeadlockRuns)
            {
                LogDeadlockRunAgain(items.Sum(write => write.Calls.Count));
            }
        }
    }

    private void CommitOnce(IReadOnlyList<Write> items)
    {
        using var connection = connections.DataSource.OpenConnection();
        var rows = new Columns(items.Sum(write => write.Calls.Count));
        foreach (var write in items)
        {
            foreach (var call in write.Calls)
            {
                rows.Add(write, call);
            }
        }

        using var transaction = connection.BeginTransaction();
        var inserted = new HashSet<(string, string)>();
        using (var insert = new NpgsqlCommand(InsertSql, connection, transaction))
        {
            rows.Bind(insert);
            using var reader = insert.ExecuteReader();
            while (reader.Read())
            {
                inserted.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        // A messageId twice in one commit is inserted once: the first is new, the rest duplicates.
        var count = CountEach(items, (write, call) => inserted.Remove((write.SourceId, Storable(call.MessageId))));

        count.Hours.Write(connection, transaction);
        if (count.Added > 0)
        {
            // Delivered at commit to the dispatcher, whichever instance it is.
            using var notify = new NpgsqlCommand($"NOTIFY {PostgresDispatcherElection.CallsChannel}", connection, transaction);
            notify.ExecuteNonQuery();
        }

        transaction.Commit();
        CommitDone(count);
    }

    protected override Exception StorageFailure(Exception exception)
    {
        LogStorageFailure(exception.Message);
        return base.StorageFailure(exception);
    }

    /// <summary>Each commit's connection goes back to the pool with it; the pool drops a broken one.</summary>
    protected override void Reset()
    {
    }

    /// <summary>
    /// PostgreSQL's text holds no NUL character, which a JSON string may carry escaped (\u0000): the
    /// columns taken from a call keep it as U+FFFD, so the call is stored instead of refused. The
    /// payload, which is what gets delivered, keeps it escaped as sent.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    private static string? Storable(string? text) => text?.Replace('\0', '\uFFFD');

    [LoggerMessage(Level = LogLevel.Information, Message = "A commit of {Calls} incoming calls deadlocked with the other commit on calls they share; it runs again")]
    private partial void LogDeadlockRunAgain(int calls);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store incoming calls (PostgreSQL): {Reason}; answering 503")]
    private partial void LogStorageFailure(string reason);

    /// <summary>A commit's calls as one array per column, the shape unnest takes.</summary>
    private sealed class Columns(int count)
    {
        private readonly List<string> sources = new(count), messages = new(count), payloads = new(count);
        private readonly List<string?> types = new(count), users = new(count), anonymous = new(count), groups = new(count), events = new(count), reasons = new(count);
        private readonly List<DateTime> received = new(count);
        private readonly List<DateTime?> timestamps = new(count);
        private readonly List<int> statuses = new(count);

        public void Add(Write write, Segment.IncomingCall call)
        {
            var (status, reason) = InitialStatus(call);
            sources.Add(write.SourceId);
            messages.Add(Storable(call.MessageId));
            types.Add(Storable(call.Type));
            users.Add(Storable(call.UserId));
            anonymous.Add(Storable(call.AnonymousId));
            groups.Add(Storable(call.GroupId));
            events.Add(Storable(call.Event));
            received.Add(DateTime.SpecifyKind(write.ReceivedAtUtc, DateTimeKind.Utc));
            timestamps.Add(call.TimestampUtc is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null);
            payloads.Add(call.Json);
            statuses.Add((int)status);
            reasons.Add(Storable(reason));
        }

        public void Bind(NpgsqlCommand command)
        {
            Array(command, sources);
            Array(command, messages);
            Array(command, types);
            Array(command, users);
            Array(command, anonymous);
            Array(command, groups);
            Array(command, events);
            command.Parameters.Add(new NpgsqlParameter<List<DateTime>> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = received });
            command.Parameters.Add(new NpgsqlParameter<List<DateTime?>> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, TypedValue = timestamps });
            Array(command, payloads);
            command.Parameters.Add(new NpgsqlParameter<List<int>> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, TypedValue = statuses });
            Array(command, reasons);
        }

        private static void Array<T>(NpgsqlCommand command, List<T> values) =>
            command.Parameters.Add(new NpgsqlParameter<List<T>> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values });
    }
}
