using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Instances starting together on one database take turns at its migrations. EF's own lock is
/// taken again for each migration's transaction, and the list of migrations to apply is read
/// once, so an instance could apply a migration another had just applied ("relation already
/// exists"); a session advisory lock held across the whole run leaves the second instance
/// nothing to apply. The server releases it if the process dies.
/// </summary>
internal static class PostgresMigrationLock
{
    /// <summary>Any number no other tool on the database uses, and not the dispatcher's ("ULMigr").</summary>
    private const long LockKey = 0x554C_4D69_6772;

    public static bool Applies(DatabaseFacade database) => database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    /// <summary>Runs <paramref name="migrate"/> holding the lock, on the context's connection (kept open meanwhile).</summary>
    public static async Task HoldingAsync(DatabaseFacade database, Func<Task> migrate, CancellationToken cancellationToken)
    {
        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
            try
            {
                await migrate();
            }
            finally
            {
                await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }
}
