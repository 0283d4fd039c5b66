using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>What only SQLite has: its file, its folder and its journal mode.</summary>
public sealed class SqliteStorageTests
{
    [Fact]
    public async Task Database_AtStart_IsMigratedInWalModeWithFullSync()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"wal"}"""))).AssertSuccessAsync();

        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        var latest = db.Database.GetMigrations().Last();
        await using var connection = new SqliteConnection($"Data Source={relay.DatabasePath}");
        await connection.OpenAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Contains(latest, await ScalarAsync(connection, "SELECT group_concat(MigrationId) FROM __EFMigrationsHistory"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_InAFolderThatDoesNotExistYet_CreatesItAndTakesCalls()
    {
        using var folder = new TemporaryFolder();
        var database = Path.Combine(folder.Path, "not", "yet", "relay.db");
        await using var relay = new RelayFactory { Settings = { ["ConnectionStrings:Userlist"] = $"Data Source={database}" } };
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"fresh"}"""))).AssertSuccessAsync();

        Assert.True(File.Exists(database));
        Assert.True(File.Exists(Path.Combine(folder.Path, "not", "yet", "hangfire.db")));
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
