using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;
using Userlist.Core.Storage.Sqlite;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>
/// SQLite's one write lock, taken in turn: under load ingest's writer commits back to back, and a
/// delivery outcome or an operator's save that waited on SQLite alone could lose every time until
/// the write timeout.
/// </summary>
public sealed class SqliteWriteTurnsTests
{
    [Fact]
    public async Task AWriterThatAsksAgain_QueuesBehindTheWritersAlreadyWaiting()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();
        var turns = relay.Services.GetRequiredService<SqliteWriteTurns>();

        var ingest = await turns.TakeAsync(CancellationToken.None);
        var outcome = turns.TakeAsync(CancellationToken.None);
        ingest.Dispose();
        var ingestAgain = turns.TakeAsync(CancellationToken.None);

        using (await outcome.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            Assert.False(ingestAgain.IsCompleted, "ingest's writer took the lock again ahead of the delivery outcome waiting for it");
        }

        (await ingestAgain.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task EfWrite_WhileAnotherWriterHoldsTheTurn_WaitsForIt_AndFailsOnlyAfterTheWriteTimeout()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();
        var store = relay.Services.GetRequiredService<ISettingsStore>();
        var save = new Dictionary<string, string?> { ["Userlist:RequestsPerMinute"] = "600" };

        using (relay.Services.GetRequiredService<IStorageConnections>().TakeWriteTurn())
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => store.SaveAsync(save, DateTime.UtcNow, CancellationToken.None));
        }

        await store.SaveAsync(save, DateTime.UtcNow, CancellationToken.None);
        Assert.Equal("600", store.Read()["Userlist:RequestsPerMinute"]);
    }

    [Fact]
    public async Task TransactionDisposedWithoutCommit_PassesItsTurnOn_IngestStillCommits()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();

        await using (var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("""UPDATE "Settings" SET "Value" = "Value" WHERE 1 = 0""");
            await transaction.DisposeAsync();
        }

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"after"}"""))).AssertSuccessAsync();
        Assert.Single(await relay.MessagesAsync());
    }
}
