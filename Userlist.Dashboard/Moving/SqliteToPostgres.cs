using System.Diagnostics;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;
using Npgsql;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;
using Userlist.Core.Storage.Postgres;
using Userlist.Core.Storage.Sqlite;
using Userlist.Dashboard.Operators;
using Userlist.Dashboard.Operators.Postgres;
using Userlist.Dashboard.Operators.Sqlite;

namespace Userlist.Dashboard.Moving;

/// <summary>What a copy did: the rows per table (the key ring last), and the calls it found mid-delivery.</summary>
internal sealed record MoveReport(string Source, IReadOnlyList<CopiedTable> Tables, int Delivering, TimeSpan Elapsed);

/// <summary>The copy can't go ahead; the message says why in one line, and nothing was written.</summary>
internal sealed class MoveRefusedException(string message) : Exception(message);

/// <summary>
/// Copies a stopped SQLite relay's data (both models' tables and the key ring's files) into an
/// empty PostgreSQL database, in one transaction there: a failure leaves it as it was. Hangfire's
/// job history stays behind (the relay registers its recurring jobs at every start), and so does
/// the free-text index (PostgreSQL's is built behind the log at start).
/// </summary>
internal static class SqliteToPostgres
{
    public const string KeyRingTable = "DataProtectionKeys";

    public static async Task<MoveReport> CopyAsync(StorageOptions storage, string target, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var databasePath = DataFiles.DatabasePath(storage);
        if (!File.Exists(databasePath))
        {
            throw new MoveRefusedException($"There is no database at {databasePath}: ConnectionStrings:Userlist must name the relay's SQLite database.");
        }

        // The relay's own lock on its database: no call can arrive there after it has been copied.
        await using var relayStorage = new ServiceCollection().AddSingleton(Options.Create(storage)).AddSqliteStorage().BuildServiceProvider();
        try
        {
            relayStorage.GetRequiredService<IProcessLock>().Acquire();
        }
        catch (DatabaseInUseException)
        {
            throw new MoveRefusedException($"A relay is running on {databasePath}: stop it first, so that no call arrives after the copy.");
        }

        await using var sourceRelay = await relayStorage.GetRequiredService<IDbContextFactory<SqliteRelayDbContext>>().CreateDbContextAsync(cancellationToken);
        await using var sourceOperators = new SqliteOperatorsDbContext(new DbContextOptionsBuilder<SqliteOperatorsDbContext>()
            .UseSqlite(storage.ConnectionString, sqlite => sqlite.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable)).Options);
        // A database an older relay left is brought up to date first, as that relay's next start would.
        await sourceRelay.Database.MigrateQuietlyAsync(cancellationToken);
        await sourceOperators.Database.MigrateQuietlyAsync(cancellationToken);

        await using var connection = new NpgsqlConnection(target);
        await connection.OpenAsync(cancellationToken);
        await using var targetRelay = new PostgresRelayDbContext(new DbContextOptionsBuilder<PostgresRelayDbContext>().UseNpgsql(connection).Options);
        await using var targetOperators = new PostgresOperatorsDbContext(new DbContextOptionsBuilder<PostgresOperatorsDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable)).Options);
        await targetRelay.Database.MigrateQuietlyAsync(cancellationToken);
        await targetOperators.Database.MigrateQuietlyAsync(cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RefuseUnlessEmptyAsync(connection, [targetRelay.Model, targetOperators.Model], cancellationToken);

        var highWater = await HighWaterMarksAsync(sourceRelay, cancellationToken);
        var tables = new List<CopiedTable>();
        foreach (var (source, into) in new (DbContext Source, DbContext Target)[] { (sourceRelay, targetRelay), (sourceOperators, targetOperators) })
        {
            await source.Database.OpenConnectionAsync(cancellationToken);
            foreach (var table in TableCopy.InCopyOrder(into.Model, source.Model))
            {
                tables.Add(await TableCopy.CopyAsync(source.Database.GetDbConnection(), connection, table, cancellationToken));
                await TableCopy.ContinueKeysAsync(connection, table, highWater.GetValueOrDefault(table.GetTableName()!), cancellationToken);
            }
        }

        await targetOperators.Database.UseTransactionAsync(transaction, cancellationToken);
        tables.Add(new CopiedTable(KeyRingTable, await CopyKeyRingAsync(DataFiles.KeysFolder(storage), targetOperators, cancellationToken)));
        await transaction.CommitAsync(cancellationToken);
        await VacuumAsync(connection, tables, cancellationToken);

        var delivering = await sourceRelay.Messages.CountAsync(m => m.Status == MessageStatus.Delivering, cancellationToken);
        return new MoveReport(databasePath, tables, delivering, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Leaves the copied tables as autovacuum would some minutes later: with the planner's statistics,
    /// and every page marked all-visible, so the log's counts read their index alone from the first
    /// start (1,000,000 calls: the unfiltered log's first page 186 ms before, 50 ms after).
    /// </summary>
    private static async Task VacuumAsync(NpgsqlConnection target, List<CopiedTable> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables.Where(table => table.Rows > 0))
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM (ANALYZE) \"{table.Name}\"", target);
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Holds off every writer until the copy commits (a relay started on the target meanwhile, or
    /// a second copy), then refuses if any table of the relay's already has a row.
    /// </summary>
    private static async Task RefuseUnlessEmptyAsync(NpgsqlConnection target, IReadOnlyList<IModel> models, CancellationToken cancellationToken)
    {
        var tables = models.SelectMany(m => m.GetEntityTypes()).Select(t => t.GetTableName()).OfType<string>().Distinct().ToList();
        await using (var hold = new NpgsqlCommand($"LOCK TABLE {string.Join(", ", tables.Select(TableCopy.Quote))} IN SHARE ROW EXCLUSIVE MODE", target))
        {
            await hold.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var check = new NpgsqlCommand(
            string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {TableCopy.Quote(t)})")), target);
        var holdingRows = new List<string>();
        await using (var reader = await check.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                holdingRows.Add(reader.GetString(0));
            }
        }

        if (holdingRows.Count > 0)
        {
            throw new MoveRefusedException(
                $"The PostgreSQL database already holds relay data (in {string.Join(", ", holdingRows)}): the copy goes into an empty database only, and changed nothing.");
        }
    }

    /// <summary>The highest key SQLite ever gave out per AUTOINCREMENT table, deleted rows' included.</summary>
    private static async Task<Dictionary<string, long>> HighWaterMarksAsync(DbContext source, CancellationToken cancellationToken) =>
        await source.Database.SqlQueryRaw<HighWaterMark>("SELECT name AS \"Table\", seq AS \"Key\" FROM sqlite_sequence")
            .ToDictionaryAsync(mark => mark.Table, mark => mark.Key, cancellationToken);

    /// <summary>
    /// The key ring's files as rows of the table the relay reads on PostgreSQL, named as its
    /// repository names them (the file name is the key's friendly name) and holding the element
    /// as that repository writes it.
    /// </summary>
    private static async Task<long> CopyKeyRingAsync(string folder, PostgresOperatorsDbContext target, CancellationToken cancellationToken)
    {
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.xml").Order(StringComparer.Ordinal).ToList() : [];
        foreach (var file in files)
        {
            await using var xml = File.OpenRead(file);
            var element = await XElement.LoadAsync(xml, LoadOptions.None, cancellationToken);
            target.DataProtectionKeys.Add(new DataProtectionKey
            {
                FriendlyName = Path.GetFileNameWithoutExtension(file),
                Xml = element.ToString(SaveOptions.DisableFormatting),
            });
        }

        await target.SaveChangesAsync(cancellationToken);
        return files.Count;
    }

    private sealed record HighWaterMark(string Table, long Key);
}
