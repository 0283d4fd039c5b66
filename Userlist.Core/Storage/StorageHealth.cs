using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

/// <summary>What a readiness probe asks of the database, behind the seam so the web host names no provider.</summary>
public sealed class StorageHealth(IDbContextFactory<RelayDbContext> databases, IStorageConnections connections, IOptions<StorageOptions> options)
{
    /// <summary>
    /// Whether the database takes a write within <c>Storage:WriteTimeoutSeconds</c>, the same wait
    /// ingest allows before answering 503: a write that changes no row, in a transaction rolled back.
    /// </summary>
    public async Task<bool> TakesWriteAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.WriteTimeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await using var db = await databases.CreateDbContextAsync(deadline.Token);
            db.Database.SetCommandTimeout(timeout);
            await using var transaction = await db.Database.BeginTransactionAsync(deadline.Token);
            // A write statement: SQLite takes its write lock for it even when no row matches, and
            // PostgreSQL refuses it on a read-only server.
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Settings\" SET \"Value\" = \"Value\" WHERE 1 = 0", deadline.Token);
            await transaction.RollbackAsync(CancellationToken.None);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception failure) when (connections.IsStorageFailure(failure))
        {
            return false;
        }
    }

    /// <summary>Committed migrations this database has not applied (none once the relay has started).</summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }
}
