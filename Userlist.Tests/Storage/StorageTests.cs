using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>What either provider must keep: every acknowledged call stored once, across restarts and under load.</summary>
public abstract class StorageTests(StorageKind storage)
{
    public sealed class OnSqlite() : StorageTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : StorageTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task Migrations_MatchTheModel_NoPendingChanges()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();

        Assert.False(db.Database.HasPendingModelChanges(), "the model changed without a migration: run dotnet ef migrations add");
    }

    [SkippableFact]
    public async Task Calls_AcknowledgedBeforeARestart_AreAllThereAfterIt()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        var batch = string.Join(',', Enumerable.Range(0, 50).Select(i => $$"""{"type":"track","event":"E","userId":"u{{i % 5}}","messageId":"restart-{{i}}"}"""));
        await using (var first = new RelayFactory(database))
        {
            using var client = first.CreateClient();
            await (await client.SendAsync(first.Post("/v1/batch", $$"""{"batch":[{{batch}}]}"""))).AssertSuccessAsync();
            await (await client.SendAsync(first.Post("/v1/identify", """{"userId":"u1","messageId":"restart-single"}"""))).AssertSuccessAsync();
        }

        await using var second = new RelayFactory(database);
        using var again = second.CreateClient();
        // The same batch resent after the restart (a client retrying) must not be stored twice.
        await (await again.SendAsync(second.Post("/v1/batch", $$"""{"batch":[{{batch}}]}"""))).AssertSuccessAsync();

        var stored = await second.MessagesAsync();
        Assert.Equal(51, stored.Count);
        Assert.All(stored, m => Assert.Equal(MessageStatus.Pending, m.Status));
    }

    [SkippableFact]
    public async Task Ingest_WhileTheDatabaseIsLockedPastTheTimeout_Answers503WithRetryAfterAndStoresNothing()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Settings = { ["Storage:WriteTimeoutSeconds"] = "1" } };
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

    [SkippableFact]
    public async Task ConcurrentRequests_AreCommittedTogether_FewerCommitsThanRequests()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Settings = { ["Storage:WriteTimeoutSeconds"] = "60" } };
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
        // Each commit loop may have taken the first request alone before the lock was released, and
        // two loops may share the rest: SQLite has one loop, PostgreSQL two (it commits in parallel).
        Assert.InRange(commits, 1, storage == StorageKind.Postgres ? 4 : 3);
    }

    [SkippableFact]
    public async Task ParallelRequests_EachCallSentTwiceAtOnce_EveryCallIsStoredAndCountedOnce()
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Settings = { ["Storage:WriteTimeoutSeconds"] = "60" } };
        using var client = relay.CreateClient();
        // 100 batches of 5 calls, each batch sent by two clients at once (a retry while the first is
        // still in flight): 200 requests racing into the same commits.
        var batches = Enumerable.Range(0, 100).Select(b => string.Join(',', Enumerable.Range(0, 5).Select(c =>
            $$"""{"type":"track","event":"E","userId":"user-{{b % 7}}","messageId":"parallel-{{b}}-{{c}}"}"""))).ToList();

        var responses = await Task.WhenAll(batches.Concat(batches)
            .Select(batch => client.SendAsync(relay.Post("/v1/batch", $$"""{"batch":[{{batch}}]}"""))));

        foreach (var response in responses)
        {
            await response.AssertSuccessAsync();
        }

        var stored = await relay.MessagesAsync();
        Assert.Equal(500, stored.Count);
        Assert.Equal(500, stored.Select(m => m.MessageId).Distinct().Count());
        var hours = await relay.Services.GetRequiredService<MessageStatistics>().LastDayAsync(CancellationToken.None);
        Assert.Equal(500, hours.Sum(hour => hour.Received));
    }
}
