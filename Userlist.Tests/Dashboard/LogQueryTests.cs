using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Dashboard;

/// <summary>The event log's queries on calls stored through ingest, as the dashboard runs them, on both providers.</summary>
public sealed class LogQueryTests
{
    /// <summary>SQLite, and PostgreSQL (skipped with the install command where it is missing).</summary>
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task FreeText_FindsEmailsIdsAndWordBeginnings_AloneOrWithOtherFilters(StorageKind storage)
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"ada","traits":{"email":"ada@example.com","plan":"enterprise"}},
              {"type":"identify","userId":"grace","traits":{"email":"grace@example.com","plan":"pro"}},
              {"type":"track","userId":"ada","event":"Report Exported","properties":{"format":"csv"}},
              {"type":"track","userId":"grace","event":"Report Exported"}]}
            """))).AssertSuccessAsync();
        var queries = relay.Services.GetRequiredService<MessageQueries>();
        await Eventually.HoldsAsync(async () => (await UsersAsync(queries, new(Text: "ada@example.com"))).Count == 1, "the calls are indexed");

        Assert.Equal(["ada"], await UsersAsync(queries, new(Text: "ada@example.com")));
        Assert.Equal(["ada"], await UsersAsync(queries, new(Text: "enterp")));
        Assert.Equal(["grace", "ada"], await UsersAsync(queries, new(Text: "Report Export")));
        Assert.Empty(await UsersAsync(queries, new(Text: "Exported Report")));
        Assert.Equal(["ada"], await UsersAsync(queries, new(Text: "exported", UserId: "ada")));
        Assert.Empty(await UsersAsync(queries, new(Text: "csv", UserId: "grace")));
        Assert.Empty(await UsersAsync(queries, new(Text: "\"); DROP TABLE Messages; --")));
    }

    [SkippableFact]
    public async Task FreeText_OnPostgres_FindsACallThatCommittedAfterANewerOneWasIndexed()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        var queries = relay.Services.GetRequiredService<MessageQueries>();

        // Another commit (another instance's, or this one's other commit loop) takes its call's Id
        // first and commits last, after a newer call was stored and indexed.
        await using var other = await database.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var insert = other.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO "Messages" ("SourceId", "MessageId", "Type", "UserId", "Event", "ReceivedAt", "Payload", "Status", "AttemptCount")
                VALUES ('other', 'late-1', 'track', 'late-user', 'Committed Late', now(), '{"type":"track","userId":"late-user","event":"Committed Late"}', 0, 0)
                """;
            await insert.ExecuteNonQueryAsync();
        }

        await (await client.SendAsync(relay.Post("/v1/track", """{"type":"track","userId":"early-user","event":"Committed First"}"""))).AssertSuccessAsync();
        await Eventually.HoldsAsync(async () => (await UsersAsync(queries, new(Text: "Committed First"))).Count == 1, "the newer call is indexed");
        await transaction.CommitAsync();

        await Eventually.HoldsAsync(async () => (await UsersAsync(queries, new(Text: "Committed Late"))).Count == 1, "the call that committed late is found too");
        Assert.Equal(["late-user"], await UsersAsync(queries, new(Text: "Committed Late")));
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Counts_AreExactOnIndexedFilters_AndStopAtTheCapOnOthers(StorageKind storage)
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        for (var batch = 0; batch < 5; batch++)
        {
            var calls = string.Join(",", Enumerable.Range(0, 2_010).Select(i => $$"""{"type":"track","userId":"u{{i % 7}}","event":"Seat Added"}"""));
            await (await client.SendAsync(relay.Post("/v1/batch", $$"""{"batch":[{{calls}}]}"""))).AssertSuccessAsync();
        }

        var queries = relay.Services.GetRequiredService<MessageQueries>();
        var all = await queries.PageAsync(new(Status: MessageStatus.Pending), LogOrder.NewestFirst, 0, 50, CancellationToken.None);
        var byEvent = await queries.PageAsync(new(Event: "Seat Added"), LogOrder.NewestFirst, 0, 50, CancellationToken.None);
        var deepest = await queries.PageAsync(new(), LogOrder.NewestFirst, 50_000, 50, CancellationToken.None);

        Assert.Equal((10_050, false), (all.Total, all.TotalIsLowerBound));
        Assert.Equal((MessageQueries.CountCap, true), (byEvent.Total, byEvent.TotalIsLowerBound));
        Assert.Equal(50, byEvent.Rows.Count);
        Assert.Equal(50, deepest.Rows.Count);
        Assert.True(deepest.Rows[0].Id <= all.Rows[0].Id - MessageQueries.MaxBrowsable, "paging stops at the browsable depth");
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task TimeRange_SelectsExactlyTheCallsReceivedInIt(StorageKind storage)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Time = clock };
        using var client = relay.CreateClient();
        for (var hour = 0; hour < 6; hour++)
        {
            await (await client.SendAsync(relay.Post("/v1/track", $$"""{"userId":"at-{{hour}}","event":"Tick"}"""))).AssertSuccessAsync();
            clock.Advance(TimeSpan.FromHours(1));
        }

        var queries = relay.Services.GetRequiredService<MessageQueries>();
        var from = new DateTime(2026, 11, 20, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal(["at-4", "at-3", "at-2"], await UsersAsync(queries, new(ReceivedFrom: from, ReceivedTo: from.AddHours(3))));
        Assert.Equal(["at-5"], await UsersAsync(queries, new(ReceivedFrom: from.AddHours(3))));
        Assert.Equal(["at-0"], await UsersAsync(queries, new(ReceivedTo: from.AddHours(-1))));
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Retention_TakesDeletedCallsOutOfTheSearchIndex(StorageKind storage)
    {
        await using var harness = await Delivery.DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/identify", """{"userId":"old","traits":{"email":"old@example.com"},"messageId":"old"}""");
        await harness.UntilStatusAsync("old", MessageStatus.Delivered);
        var queries = harness.Relay.Services.GetRequiredService<MessageQueries>();
        await Eventually.HoldsAsync(async () => (await UsersAsync(queries, new(Text: "old@example.com"))).Count == 1, "the call is indexed");

        await using (var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            await db.Messages.ExecuteUpdateAsync(m => m.SetProperty(x => x.ReceivedAt, DateTime.UtcNow.AddDays(-31)));
        }

        Assert.Equal(1, await harness.Relay.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));

        Assert.Empty(await UsersAsync(queries, new(Text: "old@example.com")));
        Assert.Equal(0, await SearchIndexedCountAsync(harness.Relay));
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task SearchBacklog_NeverCountsFewerThanTheCallsNotYetIndexed_AndIsZeroOnceAllAre(StorageKind storage)
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();
        var calls = string.Join(",", Enumerable.Range(0, 1_200).Select(i => $$"""{"type":"track","userId":"u{{i}}","event":"Backlog Probe"}"""));
        await (await client.SendAsync(relay.Post("/v1/batch", $$"""{"batch":[{{calls}}]}"""))).AssertSuccessAsync();
        var search = relay.Services.GetRequiredService<ISearchIndex>();

        // Read before the indexed count: indexing only moves on in between, so together they cover every call.
        var backlog = await BacklogAsync(relay, search);
        Assert.True(backlog + await SearchIndexedCountAsync(relay) >= 1_200, $"a backlog of {backlog} misses calls not yet indexed");

        await Eventually.HoldsAsync(async () => await BacklogAsync(relay, search) == 0, "the backlog comes down to 0");
        Assert.Equal(1_200, await SearchIndexedCountAsync(relay));
    }

    private static async Task<long> BacklogAsync(RelayFactory relay, ISearchIndex search)
    {
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await search.BacklogAsync(db, CancellationToken.None);
    }

    private static async Task<List<string?>> UsersAsync(MessageQueries queries, MessageFilter filter) =>
        [.. (await queries.PageAsync(filter, LogOrder.NewestFirst, 0, 50, CancellationToken.None)).Rows.Select(r => r.UserId)];

    private static async Task<long> SearchIndexedCountAsync(RelayFactory relay)
    {
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.Database.SqlQueryRaw<long>("""SELECT count(*) AS "Value" FROM "MessageSearch" """).SingleAsync();
    }
}
