using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage.Postgres;

internal sealed class PostgresCallClaims(IDbContextFactory<RelayDbContext> databases) : ICallClaims
{
    /// <summary>The transaction lock that takes claims one at a time ("ULClaim"; the election's key is another).</summary>
    private const long ClaimLockKey = 0x554C_436C_6169_6D;

    /// <summary>
    /// One statement: the oldest due calls of each status from the (Status, Id) index, locked with
    /// SKIP LOCKED so a claim never waits on rows another transaction holds, checked again once
    /// locked (a row changed since the statement began is due no more), marked Delivering, and
    /// returned. Per-user order holds a call while an earlier call of its user is in flight, and
    /// company order a group call while an earlier group call for its company is (so that company
    /// upserts of different users reach Userlist in the order received). The row lock is NO KEY UPDATE, the one an update of non-key columns takes: FOR
    /// UPDATE would also pass over the newest calls while the search indexer's foreign key check
    /// holds them (KEY SHARE), and make the indexer wait for the claim. Only the dispatcher claims,
    /// but two of its passes may claim at once (a job run twice): the transaction lock makes the
    /// second wait for the first to commit, so that its statement sees the first one's claims, in
    /// the per-user and per-company checks too. Otherwise it took them for Pending and sent them again.
    /// </summary>
    public async Task<List<Message>> ClaimAsync(string token, DateTime nowUtc, DateTime leaseUntilUtc, int size, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ClaimLockKey})", cancellationToken);
        var claimed = await db.Messages.FromSql($"""
            WITH due AS (
                (SELECT m."Id" FROM "Messages" m
                 WHERE m."Status" = 0
                   AND (m."UserId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" e WHERE e."UserId" = m."UserId" AND e."Id" < m."Id" AND e."Status" IN (1, 2)))
                   AND (m."Type" <> 'group' OR m."GroupId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" g WHERE g."GroupId" = m."GroupId" AND g."Id" < m."Id" AND g."Type" = 'group' AND g."Status" IN (1, 2)))
                 ORDER BY m."Id" LIMIT {size})
                UNION ALL
                (SELECT m."Id" FROM "Messages" m
                 WHERE m."Status" = 2 AND m."NextAttemptAt" <= {nowUtc}
                   AND (m."UserId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" e WHERE e."UserId" = m."UserId" AND e."Id" < m."Id" AND e."Status" IN (1, 2)))
                   AND (m."Type" <> 'group' OR m."GroupId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" g WHERE g."GroupId" = m."GroupId" AND g."Id" < m."Id" AND g."Type" = 'group' AND g."Status" IN (1, 2)))
                 ORDER BY m."Id" LIMIT {size})),
            picked AS (
                SELECT "Id" FROM "Messages"
                WHERE "Id" IN (SELECT "Id" FROM due) AND ("Status" = 0 OR ("Status" = 2 AND "NextAttemptAt" <= {nowUtc}))
                ORDER BY "Id" LIMIT {size}
                FOR NO KEY UPDATE SKIP LOCKED)
            UPDATE "Messages" m SET "Status" = {(int)MessageStatus.Delivering}, "LeaseToken" = {token}, "LeaseExpiresAt" = {leaseUntilUtc}, "UpdatedAt" = {nowUtc}
            FROM picked WHERE m."Id" = picked."Id"
            RETURNING m.*
            """).AsNoTracking().ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. claimed.OrderBy(m => m.Id)];
    }
}
