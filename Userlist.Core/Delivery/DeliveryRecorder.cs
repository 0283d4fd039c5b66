using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>What became of one claimed call: its attempt (if a request was made) and its next status.</summary>
public sealed record DeliveryOutcome(
    long MessageRowId,
    string LeaseToken,
    DeliveryAttempt? Attempt,
    MessageStatus Status,
    string? Reason,
    DateTime? NextAttemptAt,
    bool CountsAsAttempt,
    DateTime AtUtc);

/// <summary>
/// Records delivery outcomes with group commit, as ingest stores calls: every outcome waiting when
/// a commit starts shares its transaction, so delivery is not held to one fsync per call. Each
/// status change applies only while the run still holds its claim (a lapsed lease means another
/// run owns the call now); the attempt is kept either way, since the request was made.
/// </summary>
public sealed class DeliveryRecorder(IOptions<StorageOptions> options, RelayMetrics metrics)
    : GroupCommitQueue<DeliveryOutcome>(metrics, "delivery")
{
    private static readonly string[] StatusTags = Enum.GetNames<MessageStatus>().Select(name => name.ToLowerInvariant()).ToArray();

    private SqliteConnection? connection;

    /// <summary>Status changes of the commit under way, by status; only the commit loop touches it.</summary>
    private readonly long[] ended = new long[StatusTags.Length];

    protected override int MaxWeightPerCommit => 1_000;

    /// <summary>Completes once the outcome is durably committed.</summary>
    public Task RecordAsync(DeliveryOutcome outcome) => EnqueueAsync(outcome);

    protected override void Reset()
    {
        connection?.Dispose();
        connection = null;
    }

    protected override void Commit(IReadOnlyList<DeliveryOutcome> outcomes)
    {
        // Raw prepared statements on one connection: EF's per-row update cost more than the request itself.
        var connection = OpenConnection();
        Array.Clear(ended);
        using var transaction = connection.BeginTransaction();
        var activity = new HourlyActivityCounter();
        using var insert = Command(connection, transaction, """
            INSERT INTO DeliveryAttempts (MessageRowId, StartedAt, Method, Path, RequestBody, StatusCode, ResponseBody, DurationMs, Error, Outcome)
            VALUES ($message, $started, $method, $path, $request, $status, $response, $duration, $error, $outcome)
            """);
        using var update = Command(connection, transaction, """
            UPDATE Messages SET Status = $status, StatusReason = $reason, NextAttemptAt = $next, AttemptCount = AttemptCount + $increment,
                LeaseToken = NULL, LeaseExpiresAt = NULL, UpdatedAt = $at
            WHERE Id = $id AND LeaseToken = $token AND Status = $delivering
            """);
        foreach (var outcome in outcomes)
        {
            if (outcome.Attempt is { } attempt)
            {
                Bind(insert, ("$message", attempt.MessageRowId), ("$started", attempt.StartedAt), ("$method", attempt.Method),
                    ("$path", attempt.Path), ("$request", attempt.RequestBody), ("$status", attempt.StatusCode), ("$response", attempt.ResponseBody),
                    ("$duration", attempt.DurationMs), ("$error", attempt.Error), ("$outcome", attempt.Outcome));
                insert.ExecuteNonQuery();
            }

            Bind(update, ("$status", (int)outcome.Status), ("$reason", outcome.Reason), ("$next", outcome.NextAttemptAt),
                ("$increment", outcome.CountsAsAttempt ? 1 : 0), ("$at", outcome.AtUtc), ("$id", outcome.MessageRowId),
                ("$token", outcome.LeaseToken), ("$delivering", (int)MessageStatus.Delivering));
            if (update.ExecuteNonQuery() == 1)
            {
                activity.Outcome(outcome.AtUtc, outcome.Status);
                ended[(int)outcome.Status]++;
            }
        }

        activity.Write(connection, transaction);
        transaction.Commit();
        for (var status = 0; status < ended.Length; status++)
        {
            Metrics.DeliveriesEnded(StatusTags[status], ended[status]);
        }
    }

    private SqliteConnection OpenConnection()
    {
        if (connection is null)
        {
            connection = new SqliteConnection(options.Value.ConnectionString);
            connection.Open();
            new SqlitePragmas(options.Value.WriteTimeoutSeconds * 1000).Apply(connection);
        }

        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Bind(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            if (command.Parameters.Contains(name))
            {
                command.Parameters[name].Value = value ?? DBNull.Value;
            }
            else
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }
    }
}
