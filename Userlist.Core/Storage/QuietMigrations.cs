using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Userlist.Core.Storage;

public static class QuietMigrations
{
    /// <summary>
    /// Applies the context's migrations, with its history table made first when missing. On an
    /// empty PostgreSQL database EF's provider reads the history table without checking that it
    /// exists and logs the failure as an error (npgsql/efcore.pg#3407), which reads like a broken
    /// first start; the same statement is harmless on SQLite and on a database migrated before.
    /// </summary>
    public static async Task MigrateQuietlyAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        if (Postgres.PostgresMigrationLock.Applies(database))
        {
            await Postgres.PostgresMigrationLock.HoldingAsync(database, () => MigrateAsync(database, cancellationToken), cancellationToken);
        }
        else
        {
            await MigrateAsync(database, cancellationToken);
        }
    }

    private static async Task MigrateAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        await database.ExecuteSqlRawAsync(database.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        await database.MigrateAsync(cancellationToken);
    }
}
