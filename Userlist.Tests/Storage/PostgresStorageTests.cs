using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;
using Userlist.Core.Storage.Postgres;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>What only PostgreSQL does: claims that pass over rows another transaction holds; a quiet first start.</summary>
public sealed class PostgresStorageTests
{
    [SkippableFact]
    public async Task Readyz_SaysThisInstanceDispatches()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        var role = relay.Services.GetRequiredService<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay is the dispatcher");

        var body = await client.GetStringAsync("/readyz");

        Assert.Contains("this instance dispatches", body, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task FirstStart_OnAnEmptyDatabase_LogsNoError()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();

        Assert.DoesNotContain(relay.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Migrations_RunByFourInstancesStartingAtOnce_AllSucceed_AndApplyEachOnce()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        var contexts = Enumerable.Range(0, 4)
            .Select(_ => new PostgresRelayDbContext(new DbContextOptionsBuilder<PostgresRelayDbContext>().UseNpgsql(database.ConnectionString).Options))
            .ToList();
        try
        {
            await Task.WhenAll(contexts.Select(db => db.Database.MigrateQuietlyAsync(CancellationToken.None)));

            var applied = await contexts[0].Database.GetAppliedMigrationsAsync();
            Assert.Equal(contexts[0].Database.GetMigrations(), applied);
        }
        finally
        {
            foreach (var db in contexts)
            {
                await db.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task Claim_RowLockedByAnotherTransaction_IsSkippedWithoutWaiting_TheNextIsClaimed()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        // No Push API key: the relay itself claims nothing, only the test does.
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/batch", """
            {"batch":[{"type":"identify","userId":"a","messageId":"locked"},{"type":"identify","userId":"b","messageId":"free"}]}
            """))).AssertSuccessAsync();
        // Taking the role returns orphaned claims: let that happen before the test claims.
        var role = relay.Services.GetRequiredService<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay is the dispatcher");
        var claims = relay.Services.GetRequiredService<ICallClaims>();
        var now = DateTime.UtcNow;

        await using var other = await database.OpenAsync();
        await using var transaction = await HoldAsync(other, "locked", "FOR UPDATE");

        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
        {
            var claimed = await claims.ClaimAsync("first", now, now.AddMinutes(5), 10, deadline.Token);
            Assert.Equal(["free"], claimed.Select(m => m.MessageId));
        }

        await transaction.RollbackAsync();
        var next = await claims.ClaimAsync("second", now, now.AddMinutes(5), 10, CancellationToken.None);
        Assert.Equal(["locked"], next.Select(m => m.MessageId));
        Assert.All(await relay.MessagesAsync(), m => Assert.Equal(MessageStatus.Delivering, m.Status));
    }

    [SkippableFact]
    public async Task Claim_RowHeldByTheSearchIndexersKeyCheck_IsStillClaimed()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"new"}"""))).AssertSuccessAsync();
        var role = relay.Services.GetRequiredService<IDispatcherRole>();
        await Eventually.HoldsAsync(() => Task.FromResult(role.IsDispatcher), "the relay is the dispatcher");
        var claims = relay.Services.GetRequiredService<ICallClaims>();
        var now = DateTime.UtcNow;

        // Indexing a call inserts a row that references it, which holds the call with KEY SHARE
        // until the indexer commits: the newest calls, the ones a claim wants, are held that way.
        await using var indexer = await database.OpenAsync();
        await using var transaction = await HoldAsync(indexer, "new", "FOR KEY SHARE");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var claimed = await claims.ClaimAsync("first", now, now.AddMinutes(5), 10, deadline.Token);

        Assert.Equal(["new"], claimed.Select(m => m.MessageId));
    }

    /// <summary>Locks the call's row in a transaction of the connection's own, until it ends.</summary>
    private static async Task<DbTransaction> HoldAsync(DbConnection connection, string messageId, string lockClause)
    {
        var transaction = await connection.BeginTransactionAsync();
        await using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = $"""SELECT 1 FROM "Messages" WHERE "MessageId" = '{messageId}' {lockClause}""";
        await select.ExecuteNonQueryAsync();
        return transaction;
    }
}
