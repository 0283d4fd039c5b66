using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

public sealed class StorageTests
{
    [Fact]
    public async Task Migrations_MatchTheModel_NoPendingChanges()
    {
        await using var relay = new RelayFactory();
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();

        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run dotnet ef migrations add");
    }

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

    [Fact]
    public async Task Calls_AcknowledgedBeforeARestart_AreAllThereAfterIt()
    {
        using var folder = new TemporaryFolder();
        var batch = string.Join(',', Enumerable.Range(0, 50).Select(i => $$"""{"type":"track","event":"E","userId":"u{{i % 5}}","messageId":"restart-{{i}}"}"""));
        await using (var first = new RelayFactory(folder))
        {
            using var client = first.CreateClient();
            await (await client.SendAsync(first.Post("/v1/batch", $$"""{"batch":[{{batch}}]}"""))).AssertSuccessAsync();
            await (await client.SendAsync(first.Post("/v1/identify", """{"userId":"u1","messageId":"restart-single"}"""))).AssertSuccessAsync();
        }

        await using var second = new RelayFactory(folder);
        using var again = second.CreateClient();
        // The same batch resent after the restart (a client retrying) must not be stored twice.
        await (await again.SendAsync(second.Post("/v1/batch", $$"""{"batch":[{{batch}}]}"""))).AssertSuccessAsync();

        var stored = await second.MessagesAsync();
        Assert.Equal(51, stored.Count);
        Assert.All(stored, m => Assert.Equal(MessageStatus.Pending, m.Status));
    }

    [Fact]
    public async Task Ingest_WhileTheDatabaseIsLockedPastTheTimeout_Answers503WithRetryAfterAndStoresNothing()
    {
        await using var relay = new RelayFactory { Settings = { ["Storage:WriteTimeoutSeconds"] = "1" } };
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"before-lock"}"""))).AssertSuccessAsync();

        await using (await DatabaseLock.HoldAsync(relay.Database))
        {
            var response = await client.SendAsync(relay.Post("/v1/batch", """{"batch":[{"type":"track","event":"E","userId":"u","messageId":"during-lock"}]}"""));

            await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        }

        Assert.DoesNotContain(await relay.MessagesAsync(), m => m.MessageId == "during-lock");
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"after-lock"}"""))).AssertSuccessAsync();
        Assert.Contains(await relay.MessagesAsync(), m => m.MessageId == "after-lock");
    }

    [Fact]
    public async Task ConcurrentRequests_AreCommittedTogether_FewerCommitsThanRequests()
    {
        await using var relay = new RelayFactory { Settings = { ["Storage:WriteTimeoutSeconds"] = "60" } };
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"warm-up"}"""))).AssertSuccessAsync();
        var writer = relay.Services.GetRequiredService<MessageWriter>();
        var commits = 0;
        writer.Committed += _ => Interlocked.Increment(ref commits);

        // Hold the write lock so the requests queue up behind one commit, as they do under load.
        Task<HttpResponseMessage>[] requests;
        await using (var heldLock = await DatabaseLock.HoldAsync(relay.Database))
        {
            requests = Enumerable.Range(0, 40)
                .Select(i => client.SendAsync(relay.Post("/v1/track", $$"""{"event":"E","userId":"u","messageId":"group-{{i}}"}""")))
                .ToArray();
            await Eventually.HoldsAsync(() => Task.FromResult(writer.WritesInFlight == requests.Length),
                "every request waits on the writer");
            Assert.DoesNotContain(requests, r => r.IsCompleted);
            await heldLock.ReleaseAsync();
        }

        foreach (var response in await Task.WhenAll(requests))
        {
            await response.AssertSuccessAsync();
        }

        Assert.Equal(40, (await relay.MessagesAsync()).Count(m => m.MessageId.StartsWith("group-", StringComparison.Ordinal)));
        Assert.InRange(commits, 1, 3);
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
