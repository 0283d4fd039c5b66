using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary><c>dotnet Userlist.Dashboard.dll backup &lt;folder&gt;</c> on the built output, beside a relay running on the same data.</summary>
[Collection(RelayProcessCollection.Name)]
public sealed class BackupCommandTests
{
    private const string WriteKey = "ops-key";

    [Fact]
    public async Task Backup_WhileTheRelayRuns_CopiesItsCallsAndTheRelayKeepsAnswering()
    {
        using var data = new TemporaryFolder();
        using var target = new TemporaryFolder();
        var address = new Uri($"http://127.0.0.1:{RelayProcess.FreePort()}");
        await using var relay = RelayProcess.Start(data.Path, new() { ["Urls"] = address.ToString(), ["Ingest__WriteKeys__0"] = WriteKey });
        await relay.UntilAnswersAsync(address);
        foreach (var id in new[] { "cmd-1", "cmd-2", "cmd-3" })
        {
            Assert.Equal(HttpStatusCode.OK, await TrackAsync(address, id));
        }

        var backup = Path.Combine(target.Path, "nightly");
        await using var command = RelayProcess.Start(data.Path, null, "backup", backup);

        var exitCode = await command.ExitCodeAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}: {string.Join(Environment.NewLine, command.Errors)}");
        Assert.Contains(command.Output, l => l.Contains($"to {backup} (", StringComparison.Ordinal));
        Assert.Equal(["cmd-1", "cmd-2", "cmd-3"], await MessageIdsAsync(Path.Combine(backup, Path.GetFileName(RelayProcess.DatabasePath(data.Path)))));
        Assert.True(File.Exists(Path.Combine(backup, "hangfire.db")), "the jobs database is in the backup");
        Assert.True(Directory.Exists(Path.Combine(backup, "keys")), "the keys folder is in the backup");
        Assert.Equal(HttpStatusCode.OK, await TrackAsync(address, "cmd-4"));
    }

    [Fact]
    public async Task Backup_WithoutAFolder_ExitsWithUsageAndStartsNoRelay()
    {
        using var data = new TemporaryFolder();

        await using var command = RelayProcess.Start(data.Path, null, "backup");

        Assert.Equal(2, await command.ExitCodeAsync());
        Assert.StartsWith("Usage: dotnet Userlist.Dashboard.dll backup <folder>", command.Errors.FirstOrDefault(l => l.Length > 0));
        Assert.DoesNotContain(command.Output, l => l.Length > 0);
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Backup_NoDatabaseThere_FailsWithTheReasonAndCreatesNone()
    {
        using var data = new TemporaryFolder();
        var missing = Path.Combine(data.Path, "elsewhere", "userlist.db");
        var backup = Path.Combine(data.Path, "backup");

        await using var command = RelayProcess.Start(data.Path, new() { ["ConnectionStrings__Userlist"] = $"Data Source={missing}" }, "backup", backup);

        Assert.Equal(1, await command.ExitCodeAsync());
        Assert.Contains(command.Errors, l => l.StartsWith($"Backup failed: There is no database at {missing}", StringComparison.Ordinal));
        Assert.False(File.Exists(missing), "the command created an empty database");
        Assert.False(Directory.Exists(backup), "a backup folder was left behind");
    }

    /// <summary>A Segment track call, answered 200 once stored.</summary>
    private static async Task<HttpStatusCode> TrackAsync(Uri relay, string messageId)
    {
        using var http = new HttpClient { BaseAddress = relay };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
        {
            Content = new StringContent($$"""{"userId":"u","event":"E","messageId":"{{messageId}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
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
