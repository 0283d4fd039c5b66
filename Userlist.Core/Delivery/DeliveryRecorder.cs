using System.Data.Common;
using Userlist.Core.Mapping;
using Userlist.Core.PushApi;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>
/// What became of one claimed call: its attempt (if a request was made) and its next status. A
/// <see cref="MessageStatus.Delivering"/> status records the attempt alone and leaves the claim as it
/// is (a merged request Userlist refused: each call is then sent on its own).
/// </summary>
public sealed record DeliveryOutcome(
    long MessageRowId,
    string LeaseToken,
    DeliveryAttempt? Attempt,
    MessageStatus Status,
    string? Reason,
    DateTime? NextAttemptAt,
    bool CountsAsAttempt,
    DateTime AtUtc,
    StateChange? State = null,
    IdentityNote? Identity = null);

/// <summary>
/// What a call's outcome leaves remembered for its user or company (design §10). A Delivered call
/// writes the new <paramref name="State"/>, but only if the row still names the delivery of
/// <paramref name="PreviousMessageRowId"/> (else something else wrote it meanwhile, and it is
/// dropped: when in doubt, send). A null state drops the record, with every company's when
/// <paramref name="EveryCompany"/> (a user Userlist deleted may take its relationships with it).
/// </summary>
public sealed record StateChange(string Key, DeliveredState? State, long? PreviousMessageRowId, bool EveryCompany = false);

/// <summary>
/// Records delivery outcomes with group commit, as ingest stores calls: every outcome waiting when
/// a commit starts shares its transaction, so delivery is not held to one fsync per call. Each
/// status change applies only while the run still holds its claim (a lapsed lease means another
/// run owns the call now); the attempt is kept either way, since the request was made.
/// </summary>
public sealed class DeliveryRecorder(IStorageConnections storage, RelayMetrics metrics)
    : GroupCommitQueue<DeliveryOutcome>(storage, metrics, "delivery")
{
    private static readonly string[] StatusTags = Enum.GetNames<MessageStatus>().Select(name => name.ToLowerInvariant()).ToArray();


    private DbConnection? connection;

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
        // Plain statements on one connection, the same SQL on both providers: EF's per-row update
        // cost more than the request itself.
        connection ??= Storage.Open();
        Array.Clear(ended);
        using var transaction = connection.BeginTransaction();
        var activity = new HourlyActivityCounter();
        using var insert = connection.Command(transaction, """
            INSERT INTO "DeliveryAttempts" ("MessageRowId", "StartedAt", "Method", "Path", "RequestBody", "StatusCode", "ResponseBody", "DurationMs", "Error", "Outcome", "RequestId")
            VALUES (@message, @started, @method, @path, @request, @status, @response, @duration, @error, @outcome, @requestId)
            """);
        using var update = connection.Command(transaction, """
            UPDATE "Messages" SET "Status" = @status, "StatusReason" = @reason, "NextAttemptAt" = @next, "AttemptCount" = "AttemptCount" + @increment,
                "LeaseToken" = NULL, "LeaseExpiresAt" = NULL, "UpdatedAt" = @at, "LinkedUserId" = @linkedUser, "LinkedByMessageRowId" = @linkedBy
            WHERE "Id" = @id AND "LeaseToken" = @token AND "Status" = @delivering
            """);
        // A merged request is an attempt of each call it carried, under one request id: the first of
        // them recorded counts the request, each other one delivered counts a request saved.
        using var recorded = connection.Command(transaction, """
            SELECT COUNT(*) FROM (SELECT 1 FROM "DeliveryAttempts" WHERE "RequestId" = @requestId LIMIT 1) AS found
            """);
        foreach (var outcome in outcomes)
        {
            if (outcome.Attempt is { } attempt)
            {
                if (attempt.RequestId is null)
                {
                    activity.Request(outcome.AtUtc);
                }
                else
                {
                    recorded.Set("requestId", attempt.RequestId);
                    if (Convert.ToInt64(recorded.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
                    {
                        activity.Request(outcome.AtUtc);
                    }
                    else if (attempt.Outcome == nameof(PushOutcome.Delivered))
                    {
                        activity.Merged(outcome.AtUtc);
                    }
                }

                insert.Set("message", attempt.MessageRowId);
                insert.Set("started", attempt.StartedAt);
                insert.Set("method", attempt.Method);
                insert.Set("path", attempt.Path);
                insert.Set("request", attempt.RequestBody);
                insert.Set("status", attempt.StatusCode);
                insert.Set("response", attempt.ResponseBody);
                insert.Set("duration", attempt.DurationMs);
                insert.Set("error", attempt.Error);
                insert.Set("outcome", attempt.Outcome);
                insert.Set("requestId", attempt.RequestId);
                insert.ExecuteNonQuery();
            }

            if (outcome.Status == MessageStatus.Delivering)
            {
                continue;
            }

            update.Set("status", (int)outcome.Status);
            update.Set("reason", outcome.Reason);
            update.Set("next", outcome.NextAttemptAt);
            update.Set("increment", outcome.CountsAsAttempt ? 1 : 0);
            update.Set("at", outcome.AtUtc);
            update.Set("id", outcome.MessageRowId);
            update.Set("token", outcome.LeaseToken);
            update.Set("delivering", (int)MessageStatus.Delivering);
            var sentAs = outcome.Identity as IdentityNote.SentAs;
            update.Set("linkedUser", sentAs?.UserId);
            update.Set("linkedBy", sentAs?.LinkedByMessageRowId);
            if (update.ExecuteNonQuery() == 1)
            {
                if (outcome.Identity is { } note)
                {
                    IdentityLinkStatements.Apply(connection, transaction, note, outcome.MessageRowId, outcome.AtUtc);
                }

                activity.Outcome(outcome.AtUtc, outcome.Status);
                if (outcome.Status == MessageStatus.Skipped && outcome.Reason?.StartsWith(DeliveredState.SkipReasonStart, StringComparison.Ordinal) == true)
                {
                    activity.Unchanged(outcome.AtUtc);
                }

                ended[(int)outcome.Status]++;
                if (outcome.State is { } change && (change.State is null || outcome.Status == MessageStatus.Delivered))
                {
                    RememberState(transaction, change);
                }
            }
        }

        activity.Write(connection, transaction);
        transaction.Commit();
        for (var status = 0; status < ended.Length; status++)
        {
            Metrics.DeliveriesEnded(StatusTags[status], ended[status]);
        }
    }

    private void RememberState(DbTransaction transaction, StateChange change)
    {
        if (change.State is { } state)
        {
            using var upsert = connection!.Command(transaction, """
                INSERT INTO "DeliveredStates" ("Key", "Body", "MessageRowId", "DeliveredAt") VALUES (@key, @body, @message, @at)
                ON CONFLICT ("Key") DO UPDATE SET "Body" = excluded."Body", "MessageRowId" = excluded."MessageRowId", "DeliveredAt" = excluded."DeliveredAt"
                WHERE "DeliveredStates"."MessageRowId" = @previous
                """);
            upsert.Set("key", change.Key);
            upsert.Set("body", state.Body);
            upsert.Set("message", state.MessageRowId);
            upsert.Set("at", state.DeliveredAt);
            upsert.Set("previous", change.PreviousMessageRowId ?? -1);
            if (upsert.ExecuteNonQuery() == 1)
            {
                return;
            }
        }

        using var forget = connection!.Command(transaction, """
            DELETE FROM "DeliveredStates" WHERE "Key" = @key OR (@everyCompany = 1 AND "Key" LIKE @companies)
            """);
        forget.Set("key", change.Key);
        forget.Set("companies", DeliveredState.CompanyKeyPrefix + "%");
        forget.Set("everyCompany", change.EveryCompany ? 1 : 0);
        forget.ExecuteNonQuery();
    }
}
