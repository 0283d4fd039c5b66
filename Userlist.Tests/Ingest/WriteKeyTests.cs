using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Ingest;

public abstract class WriteKeyTests(StorageKind storage)
{
    public sealed class OnSqlite() : WriteKeyTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : WriteKeyTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task StoredWriteKey_IsAcceptedUntilRevoked()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        const string key = "wk_stored_0123456789";
        var factory = relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>();
        int id;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var row = new WriteKey { Name = "Web app", KeyHash = Convert.ToHexStringLower(WriteKeyDirectory.Hash(key)), KeyHint = key[^4..] };
            db.WriteKeys.Add(row);
            await db.SaveChangesAsync();
            id = row.Id;
        }

        var directory = relay.Services.GetRequiredService<WriteKeyDirectory>();
        directory.Invalidate();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"stored-key"}""", key))).AssertSuccessAsync();
        Assert.Equal($"key-{id}", Assert.Single(await relay.MessagesAsync()).SourceId);

        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.WriteKeys.ExecuteUpdateAsync(k => k.SetProperty(w => w.RevokedAt, DateTime.UtcNow));
        }

        directory.Invalidate();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"revoked-key"}""", key)))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
    }

    [SkippableFact]
    public async Task SameMessageId_FromTwoSources_IsStoredForEach()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Settings = { ["Ingest:WriteKeys:1"] = "wk_second" } };
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"shared-id"}"""))).AssertSuccessAsync();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"shared-id"}""", "wk_second"))).AssertSuccessAsync();

        var sources = (await relay.MessagesAsync()).Select(m => m.SourceId).ToList();
        Assert.Equal(2, sources.Distinct().Count());
        Assert.All(sources, s => Assert.DoesNotContain("wk_", s, StringComparison.Ordinal));
    }
}
