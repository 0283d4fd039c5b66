using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage.Sqlite;

internal sealed class SqliteCallClaims(IDbContextFactory<RelayDbContext> databases) : ICallClaims
{
    public async Task<List<Message>> ClaimAsync(string token, DateTime nowUtc, DateTime leaseUntilUtc, int size, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Each status is walked in Id order on its (Status, Id) index and stops at the claim size,
        // so a claim costs the same with a million calls waiting as with ten; it holds the write
        // lock that long, so ingest must never wait on it. A group call also waits while an earlier
        // group call for its company is in flight, so that company upserts of different users reach
        // Userlist in the order received. The status numbers and the type are literals so that
        // SQLite can use the partial IX_Messages_InFlight and IX_Messages_CompanyInFlight indexes
        // (1 = Delivering, 2 = Retrying, 0 = Pending).
        await db.Database.ExecuteSqlAsync($"""
            UPDATE Messages SET Status = {(int)MessageStatus.Delivering}, LeaseToken = {token}, LeaseExpiresAt = {leaseUntilUtc}, UpdatedAt = {nowUtc}
            WHERE Id IN (
                SELECT Id FROM (
                    SELECT Id FROM (
                        SELECT m.Id FROM Messages m
                        WHERE m.Status = 0
                          AND (m.UserId IS NULL OR NOT EXISTS (
                              SELECT 1 FROM Messages e WHERE e.UserId = m.UserId AND e.Id < m.Id AND e.Status IN (1, 2)))
                          AND (m.Type <> 'group' OR m.GroupId IS NULL OR NOT EXISTS (
                              SELECT 1 FROM Messages g WHERE g.GroupId = m.GroupId AND g.Id < m.Id AND g.Type = 'group' AND g.Status IN (1, 2)))
                        ORDER BY m.Id LIMIT {size})
                    UNION ALL
                    SELECT Id FROM (
                        SELECT m.Id FROM Messages m
                        WHERE m.Status = 2 AND m.NextAttemptAt <= {nowUtc}
                          AND (m.UserId IS NULL OR NOT EXISTS (
                              SELECT 1 FROM Messages e WHERE e.UserId = m.UserId AND e.Id < m.Id AND e.Status IN (1, 2)))
                          AND (m.Type <> 'group' OR m.GroupId IS NULL OR NOT EXISTS (
                              SELECT 1 FROM Messages g WHERE g.GroupId = m.GroupId AND g.Id < m.Id AND g.Type = 'group' AND g.Status IN (1, 2)))
                        ORDER BY m.Id LIMIT {size}))
                ORDER BY Id LIMIT {size})
            """, cancellationToken);
        // Read back through the status index: the lease token has none, and a scan of the whole log
        // for it grew with every call stored (the ten-minute soak's slowing tail).
        return await db.Messages.AsNoTracking().Where(m => m.Status == MessageStatus.Delivering && m.LeaseToken == token)
            .OrderBy(m => m.Id).ToListAsync(cancellationToken);
    }
}
