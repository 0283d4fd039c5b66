using Userlist.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Userlist.Tests.Dashboard;

/// <summary>
/// Export's memory: 100,000 calls go out while the managed heap stays far below the size of the
/// file. Runs alone, after the parallel tests: the heap is the whole test process's, and other
/// tests' relays would fill it.
/// </summary>
[Collection(ExportMemoryCollection.Name)]
public sealed class CallExportMemoryTests(ITestOutputHelper output)
{
    private const int Calls = 100_000;

    /// <summary>How often the download stops to measure the heap: every 2 MB read.</summary>
    private const int MeasureEvery = 2 * 1024 * 1024;

    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Export_Of100000Calls_HoldsAFractionOfTheFileInMemory(StorageKind storage)
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();
        await BulkInsertAsync(database);
        // A small export first, so that what is measured is what grows with the rows, not the code's first run.
        Assert.NotEmpty(await client.ExportAsync("format=ndjson&user=user-7"));
        var before = LiveHeap();

        using var response = await client.GetAsync("/events/export?format=ndjson", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long read = 0, lines = 0, nextMeasure = MeasureEvery, peak = 0;
        int count;
        while ((count = await body.ReadAsync(buffer)) > 0)
        {
            read += count;
            lines += buffer.AsSpan(0, count).Count((byte)'\n');
            if (read >= nextMeasure)
            {
                // The client reads slowly here, as a browser on a slow link would: a relay that
                // holds the rows (or the file) until they are sent shows them on the heap now.
                peak = Math.Max(peak, LiveHeap() - before);
                nextMeasure += MeasureEvery;
            }
        }

        output.WriteLine($"{storage}: {read:N0} bytes exported, heap grew by {peak:N0} bytes at most");
        Assert.Equal(Calls, lines);
        Assert.True(read > 20_000_000, $"the file is {read:N0} bytes: too small to tell streaming from buffering");
        Assert.True(peak < read / 5, $"the heap grew by {peak:N0} bytes during an export of {read:N0} bytes: the export holds more than a chunk");
    }

    /// <summary>The managed heap's live bytes after a full collection.</summary>
    private static long LiveHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>One INSERT … SELECT of every call, as months of ingest would leave them (about 280 bytes of payload each).</summary>
    private static async Task BulkInsertAsync(TestDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var insert = connection.CreateCommand();
        const string payload = """'{"type":"track","userId":"user-' || (i % 1000) || '","event":"Seat Added","properties":{"plan":"enterprise","seats":' || (i % 50) || ',"note":"a seat was added to the account by its owner"},"context":{"library":{"name":"analytics-node","version":"2.1.0"}},"messageId":"bulk-' || i || '"}'""";
        insert.CommandText = database.Kind == StorageKind.Sqlite
            ? $"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Calls})
                INSERT INTO Messages (SourceId, MessageId, Type, UserId, Event, ReceivedAt, Payload, Status, AttemptCount, RetriedManually)
                SELECT 'bulk', 'bulk-' || i, 'track', 'user-' || (i % 1000), 'Seat Added',
                       strftime('%Y-%m-%d %H:%M:%f', 'now', printf('-%d seconds', {Calls} - i)), {payload}, 3, 1, 0
                FROM n
                """
            : $"""
                INSERT INTO "Messages" ("SourceId", "MessageId", "Type", "UserId", "Event", "ReceivedAt", "Payload", "Status", "AttemptCount", "RetriedManually")
                SELECT 'bulk', 'bulk-' || i, 'track', 'user-' || (i % 1000), 'Seat Added',
                       now() - ({Calls} - i) * interval '1 second', {payload}, 3, 1, false
                FROM generate_series(1, {Calls}) AS i
                """;
        await insert.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExportMemoryCollection
{
    public const string Name = "export memory";
}
