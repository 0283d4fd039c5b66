using System.Net;
using Microsoft.Data.Sqlite;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary><c>dotnet Userlist.Dashboard.dll backup &lt;folder&gt;</c> on the built output, beside a relay running on the same data.</summary>
public sealed class BackupCommandTests
{
    [Fact]
    public async Task Backup_WhileTheRelayRuns_CopiesItsCallsAndTheRelayKeepsAnswering()
    {
        using var data = new TemporaryFolder();
        using var target = new TemporaryFolder();
        var database = Path.Combine(data.Path, "userlist.db");
        using var relay = await DashboardProcess.StartRelayAsync(data.Path, database);
        foreach (var id in new[] { "cmd-1", "cmd-2", "cmd-3" })
        {
            Assert.Equal(HttpStatusCode.OK, await relay.TrackAsync(id));
        }

        var backup = Path.Combine(target.Path, "nightly");
        var (exitCode, output, errors) = await DashboardProcess.RunAsync(data.Path, database, "backup", backup);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {errors}");
        Assert.Contains($"to {backup} (", output);
        Assert.Equal(["cmd-1", "cmd-2", "cmd-3"], await MessageIdsAsync(Path.Combine(backup, "userlist.db")));
        Assert.True(File.Exists(Path.Combine(backup, "hangfire.db")), "the jobs database is in the backup");
        Assert.True(Directory.Exists(Path.Combine(backup, "keys")), "the keys folder is in the backup");
        Assert.Equal(HttpStatusCode.OK, await relay.TrackAsync("cmd-4"));
    }

    [Fact]
    public async Task Backup_WithoutAFolder_ExitsWithUsageAndStartsNoRelay()
    {
        using var data = new TemporaryFolder();

        var (exitCode, output, errors) = await DashboardProcess.RunAsync(data.Path, Path.Combine(data.Path, "userlist.db"), "backup");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("Usage: dotnet Userlist.Dashboard.dll backup <folder>", errors);
        Assert.Empty(output);
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Backup_NoDatabaseThere_FailsWithTheReasonAndCreatesNone()
    {
        using var data = new TemporaryFolder();
        var missing = Path.Combine(data.Path, "elsewhere", "userlist.db");
        var backup = Path.Combine(data.Path, "backup");

        var (exitCode, _, errors) = await DashboardProcess.RunAsync(data.Path, missing, "backup", backup);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Backup failed: There is no database at {missing}", errors);
        Assert.False(File.Exists(missing), "the command created an empty database");
        Assert.False(Directory.Exists(backup), "a backup folder was left behind");
    }

    private static async Task<List<string>> MessageIdsAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MessageId FROM Messages ORDER BY Id";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
