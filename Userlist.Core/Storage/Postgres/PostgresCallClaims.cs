using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage.Postgres;

internal sealed class PostgresCallClaims(IDbContextFactory<RelayDbContext> databases) : ICallClaims
{
    /// <summary>
    /// One statement: the oldest due calls of each status from the (Status, Id) index, locked with
    /// SKIP LOCKED so a claim never waits on rows another transaction holds, marked Delivering, and
    /// returned. Only the dispatcher claims, so the per-user check sees every call in flight.
    /// </summary>
    public async Task<List<Message>> ClaimAsync(string token, DateTime nowUtc, DateTime leaseUntilUtc, int size, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var claimed = await db.Messages.FromSql($"""
            WITH due AS (
                (SELECT m."Id" FROM "Messages" m
                 WHERE m."Status" = 0
                   AND (m."UserId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" e WHERE e."UserId" = m."UserId" AND e."Id" < m."Id" AND e."Status" IN (1, 2)))
                 ORDER BY m."Id" LIMIT {size})
                UNION ALL
                (SELECT m."Id" FROM "Messages" m
                 WHERE m."Status" = 2 AND m."NextAttemptAt" <= {nowUtc}
                   AND (m."UserId" IS NULL OR NOT EXISTS (
                       SELECT 1 FROM "Messages" e WHERE e."UserId" = m."UserId" AND e."Id" < m."Id" AND e."Status" IN (1, 2)))
                 ORDER BY m."Id" LIMIT {size})),
            picked AS (
                SELECT "Id" FROM "Messages" WHERE "Id" IN (SELECT "Id" FROM due)
                ORDER BY "Id" LIMIT {size}
                FOR UPDATE SKIP LOCKED)
            UPDATE "Messages" m SET "Status" = {(int)MessageStatus.Delivering}, "LeaseToken" = {token}, "LeaseExpiresAt" = {leaseUntilUtc}, "UpdatedAt" = {nowUtc}
            FROM picked WHERE m."Id" = picked."Id"
            RETURNING m.*
            """).AsNoTracking().ToListAsync(cancellationToken);
        return [.. claimed.OrderBy(m => m.Id)];
    }
}
