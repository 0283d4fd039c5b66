using Microsoft.EntityFrameworkCore;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

/// <summary>Records and lists what operators changed. Callers describe changes without secret values.</summary>
public sealed class AuditLog(IDbContextFactory<RelayDbContext> databases, TimeProvider time) : ISettingsAudit
{
    public Task RecordAsync(string operatorName, string action, string detail, long? messageRowId, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.AuditLog.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            Operator = operatorName,
            Action = action,
            Detail = detail,
            MessageRowId = messageRowId,
        });
        await db.SaveChangesAsync(cancellationToken);
    });

    public Task<IReadOnlyList<AuditEntry>> NewestAsync(int count, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<AuditEntry>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.AuditLog.AsNoTracking().OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
    });
}
