using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Userlist.Core.Segment;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Bench;

/// <summary>
/// bench/ingest's storage ceiling: what the database itself takes of ingest's rows, without HTTP,
/// parsing or group commit. For the seconds asked, a plain loop of prepared INSERTs into the relay's
/// own <c>Messages</c> table (its schema and indexes), in durable commits as large as ingest's group
/// commit makes at most, on one connection set up as the relay's own are; answers the rows per second. Background work meets it as it meets
/// ingest (SQLite's search indexer gives way, PostgreSQL's runs alongside). The rows stay: the
/// benchmark runs it on a database of its own. Mapped only when <c>Bench:BareEndpoint</c> is true.
/// </summary>
public static class StorageCeilingEndpoint
{
    /// <summary>The most rows ingest's group commit puts in one transaction.</summary>
    private const int RowsPerCommit = MessageWriter.MaxRowsPerCommit;

    /// <summary>INSERTs sent together where the provider has batches.</summary>
    private const int RowsPerBatch = 100;

    private const string InsertSql = """
        INSERT INTO "Messages" ("SourceId", "MessageId", "Type", "UserId", "AnonymousId", "GroupId", "Event", "ReceivedAt", "Timestamp", "Payload", "Status", "StatusReason", "AttemptCount")
        VALUES (@source, @message, @type, @user, @anonymous, @group, @event, @received, @timestamp, @payload, @status, @reason, 0)
        """;

    public static IEndpointRouteBuilder MapStorageCeilingForBenchmarks(this IEndpointRouteBuilder endpoints, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Bench:BareEndpoint"))
        {
            endpoints.MapPost("/bench/ceiling", MeasureAsync).DisableAntiforgery().AllowAnonymous();
        }

        return endpoints;
    }

    public static async Task<Results<Ok<StorageCeiling>, BadRequest<string>>> MeasureAsync(
        int seconds, IStorageConnections storage, MessageWriter writer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (seconds is < 1 or > 3600)
        {
            return TypedResults.BadRequest("seconds must be between 1 and 3600");
        }

        using var likeIngest = writer.WritingAround();
        await using var connection = storage.Open();
        await using var inserts = new Inserts(connection, new CallRows(time));
        var started = time.GetTimestamp();
        var rows = 0L;
        while (time.GetElapsedTime(started).TotalSeconds < seconds)
        {
            // Each commit in its turn, as the relay's own writers take SQLite's one write lock.
            using var turn = storage.TakeWriteTurn();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            for (var batch = 0; batch < RowsPerCommit / RowsPerBatch; batch++)
            {
                await inserts.ExecuteAsync(transaction, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            rows += RowsPerCommit;
        }

        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        return TypedResults.Ok(new StorageCeiling(rows, elapsed, rows / elapsed));
    }

    /// <summary>
    /// <see cref="RowsPerBatch"/> INSERTs: one batch of them (one round trip) where the provider has batches
    /// (PostgreSQL), otherwise one prepared command run once per row (SQLite, in process).
    /// </summary>
    private sealed class Inserts : IAsyncDisposable
    {
        private readonly CallRows rows;
        private readonly DbBatch? batch;
        private readonly DbCommand? command;

        public Inserts(DbConnection connection, CallRows rows)
        {
            this.rows = rows;
            if (connection.CanCreateBatch)
            {
                batch = connection.CreateBatch();
                for (var i = 0; i < RowsPerBatch; i++)
                {
                    var insert = batch.CreateBatchCommand();
                    insert.CommandText = InsertSql;
                    CallRows.AddParameters(insert.Parameters, insert.CreateParameter);
                    batch.BatchCommands.Add(insert);
                }
            }
            else
            {
                command = connection.CreateCommand();
                command.CommandText = InsertSql;
                CallRows.AddParameters(command.Parameters, command.CreateParameter);
            }

            // Bound once before preparing, so that the provider knows every parameter's type.
            BindAll();
            batch?.Prepare();
            command?.Prepare();
        }

        public async Task ExecuteAsync(DbTransaction transaction, CancellationToken cancellationToken)
        {
            if (batch is not null)
            {
                BindAll();
                batch.Transaction = transaction;
                await batch.ExecuteNonQueryAsync(cancellationToken);
                return;
            }

            command!.Transaction = transaction;
            for (var i = 0; i < RowsPerBatch; i++)
            {
                rows.Next(command.Parameters);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (batch is not null)
            {
                await batch.DisposeAsync();
            }

            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }

        private void BindAll()
        {
            if (batch is null)
            {
                rows.Next(command!.Parameters);
                return;
            }

            foreach (var insert in batch.BatchCommands)
            {
                rows.Next(insert.Parameters);
            }
        }
    }

    /// <summary>
    /// Rows as ingest stores bench/ingest/calls.lua's single calls: a track call by one of 500 users
    /// in one of 50 accounts, its normalised JSON, and a messageId no other run uses.
    /// </summary>
    private sealed class CallRows(TimeProvider time)
    {
        private const string Source = "bench-ceiling";

        private static readonly DateTime Timestamp = new(2024, 5, 1, 12, 0, 1, DateTimeKind.Utc);

        private static readonly string[] Names =
            ["source", "message", "type", "user", "anonymous", "group", "event", "received", "timestamp", "payload", "status", "reason"];

        private readonly string prefix = $"ceiling-{Guid.NewGuid():N}"[..16] + "-";
        private long count;

        /// <summary>Text and integers typed; the times left to the provider (UTC: timestamptz on PostgreSQL, EF's text on SQLite).</summary>
        public static void AddParameters(DbParameterCollection parameters, Func<DbParameter> create)
        {
            foreach (var name in Names)
            {
                var parameter = create();
                parameter.ParameterName = "@" + name;
                if (name is not ("received" or "timestamp"))
                {
                    parameter.DbType = name == "status" ? DbType.Int32 : DbType.String;
                }

                parameters.Add(parameter);
            }
        }

        public void Next(DbParameterCollection parameters)
        {
            var n = ++count;
            var messageId = prefix + n.ToString(CultureInfo.InvariantCulture);
            var received = time.GetUtcNow().UtcDateTime;
            var user = string.Create(CultureInfo.InvariantCulture, $"user-{n % 500}");
            var group = string.Create(CultureInfo.InvariantCulture, $"acct-{n % 50}");
            object?[] values =
            [
                Source, messageId, "track", user, null, group, "Item Purchased", received, Timestamp,
                Payload(n, user, group, messageId, received), (int)MessageStatus.Pending, null,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }

        private static string Payload(long n, string user, string group, string messageId, DateTime received) => string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"type":"track","event":"Item Purchased","userId":"{{{user}}}","properties":{"plan":"pro","revenue":14.99,"n":{{{n}}}},"integrations":{},"context":{"groupId":"{{{group}}}","library":{"name":"@segment/analytics-node","version":"3.1.0"}},"timestamp":"2024-05-01T12:00:01.000Z","originalTimestamp":"2024-05-01T12:00:01.000Z","messageId":"{{{messageId}}}","_metadata":{"nodeVersion":"v20.11.0","jsRuntime":"node"},"receivedAt":"{{{SegmentTimestamp.Format(received)}}}"}""");
    }
}

/// <summary>What <see cref="StorageCeilingEndpoint"/> measured: rows inserted, over how long, and their rate.</summary>
public sealed record StorageCeiling(long Rows, double Seconds, double RowsPerSecond);
