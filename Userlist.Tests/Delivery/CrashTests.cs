using Userlist.Tests.Infrastructure;
using Userlist.Tests.Operations;
using Xunit.Abstractions;

namespace Userlist.Tests.Delivery;

/// <summary>
/// The relay as its own process, killed with SIGKILL at random moments while the real Segment
/// client sends to it, and restarted each time; a fake Userlist records what arrives. Afterwards
/// every call the client saw acknowledged is stored exactly once, every one reaches Userlist at
/// least once and in each user's order, and the duplicates (possible only for a request in flight
/// at a kill) are counted. The suite runs a short version; bench/crash/run.sh the full one
/// (CRASH_CALLS, CRASH_USERS, CRASH_KILLS).
/// </summary>
public abstract class CrashTests(StorageKind storage, ITestOutputHelper output)
{
    private const string WriteKey = "crash-key";

    [Collection(CrashCollection.Name)]
    public sealed class OnSqlite(ITestOutputHelper output) : CrashTests(StorageKind.Sqlite, output);

    [Collection(CrashCollection.Name)]
    public sealed class OnPostgres(ITestOutputHelper output) : CrashTests(StorageKind.Postgres, output);

    [SkippableFact]
    public async Task KilledAtRandomWhileCallsArrive_AcknowledgedCallsAreStoredOnceAndDeliveredInOrder()
    {
        NodeClient.SkipUnlessInstalled();
        var calls = Setting("CRASH_CALLS", 1_500);
        var users = Setting("CRASH_USERS", 50);
        var kills = Setting("CRASH_KILLS", 3);
        using var folder = new TemporaryFolder();
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var userlist = await FakeUserlist.StartAsync();
        // The default lease (5 minutes) and retry policy: recovery must not wait for either.
        var relay = new DeliveringRelay(folder.Path, userlist.Url, WriteKey, new() { ["Userlist__RequestsPerMinute"] = "1000000" }, database);
        await relay.StartAsync();
        var restarts = new List<DateTimeOffset?>();
        var resentCounted = 0.0;
        try
        {
            var sending = NodeClient.SendAsync(relay.Address, WriteKey, Calls(calls, users),
                environment: new() { ["MAX_RETRIES"] = "40", ["DELAY_MS"] = calls > 5_000 ? "1" : "3" });
            var random = new Random();
            for (var kill = 1; kill <= kills; kill++)
            {
                // The kill moment is the scenario's input, not a wait for anything.
                await Task.Delay(random.Next(300, 1_500));
                relay.Kill();
                var waiting = (await StoredAsync(database)).Count(m => m.Status is 0 or 1 or 2);
                output.WriteLine($"killed the relay ({kill} of {kills}) with {userlist.Arrivals.Count} requests at Userlist and {waiting} calls waiting");
                // Resuming is measured only when calls were waiting; otherwise the next arrival waits for the client.
                restarts.Add(waiting > 0 ? DateTimeOffset.UtcNow : null);
                await relay.StartAsync();
                resentCounted += await ResentAfterCrashAsync(relay);
            }

            var sent = await sending;
            var acknowledged = sent.Acknowledged.ToHashSet();
            var stored = await StoredAsync(database);
            await Eventually.HoldsAsync(async () => (await StoredAsync(database)).All(m => m.Status == 3),
                "every stored call is Delivered", TimeSpan.FromSeconds(Math.Max(60, calls / 100)));
            stored = await StoredAsync(database);

            // Every acknowledged call is stored, once (the unique index makes more impossible; none may be missing).
            var missing = acknowledged.Except(stored.Select(m => m.MessageId)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged calls are not stored, e.g. {string.Join(", ", missing.Take(5))}");
            Assert.Equal(stored.Count, stored.Select(m => m.MessageId).Distinct().Count());

            // Every stored call reached Userlist, in the order stored for its user.
            var arrivals = userlist.Arrivals;
            // A request carries one call, or several of a user coalesced: each call counts.
            var deliveries = userlist.Requests.Where(r => r.AnsweredStatus == 202).SelectMany(r => CallSequence.All(r.Body)).ToList();
            var delivered = deliveries.Distinct().ToHashSet();
            var bySequence = stored.ToDictionary(m => int.Parse(m.MessageId[2..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.All(bySequence.Keys, sequence => Assert.Contains(sequence, delivered));
            foreach (var user in stored.GroupBy(m => m.UserId))
            {
                var firstDeliveries = deliveries.Where(s => bySequence.TryGetValue(s, out var m) && m.UserId == user.Key).Distinct().ToList();
                var storedOrder = user.OrderBy(m => m.Id).Select(m => int.Parse(m.MessageId[2..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(storedOrder, firstDeliveries);
            }

            // Sent twice: every request that reached Userlist counts, answered or cut off by the kill.
            var duplicates = arrivals.SelectMany(r => CallSequence.All(r.Body)).GroupBy(s => s).Where(g => g.Count() > 1).Select(g => bySequence[g.Key].Type).ToList();
            var resumed = restarts.Select(at => at is null ? null : (arrivals.FirstOrDefault(r => r.ReceivedAt > at)?.ReceivedAt - at)?.TotalSeconds).ToList();
            output.WriteLine($"CRASH calls={calls} users={users} kills={kills} acknowledged={acknowledged.Count} " +
                $"not-acknowledged={sent.Failed.Count} stored={stored.Count} delivered={delivered.Count} " +
                $"duplicates={duplicates.Count} (identify={duplicates.Count(t => t == "identify")}, group={duplicates.Count(t => t == "group")}, " +
                $"track={duplicates.Count(t => t == "track")}) counted-by-the-relay={resentCounted} requests-to-userlist={arrivals.Count} " +
                $"resumed-after-restart-s=[{string.Join(", ", resumed.Select(s => s?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-"))}]");
            Assert.True(acknowledged.Count >= calls * 0.9, $"only {acknowledged.Count} of {calls} were acknowledged");
            // At most the requests in flight at each kill: the dispatcher's concurrency (32) each time.
            Assert.True(duplicates.Count <= kills * 32, $"{duplicates.Count} duplicates: more than the requests that can be in flight at {kills} kills");
            // The relay's own count of calls it may have sent twice covers every duplicate that happened.
            Assert.True(resentCounted >= duplicates.Count, $"{duplicates.Count} duplicates, but the relay counted {resentCounted} calls resent after a crash");
            // Delivering calls are due again when the relay starts, not when their lease lapses.
            Assert.All(resumed, seconds => Assert.True(seconds is null or < 10, $"delivery resumed {seconds:0.0} s after a restart"));
        }
        finally
        {
            relay.Kill();
        }
    }

    private static IEnumerable<object> Calls(int count, int users) => Enumerable.Range(0, count).Select(i =>
    {
        var user = $"user-{i % users}";
        var messageId = $"c-{i}";
        return (i / users % 3) switch
        {
            0 => (object)new { method = "identify", @params = new { userId = user, messageId, traits = CallSequence.Marked(i, ("email", $"{user}@example.com")) } },
            1 => new { method = "group", @params = new { userId = user, messageId, groupId = $"company-{i % 7}", traits = CallSequence.Marked(i, ("name", "Acme")) } },
            _ => new { method = "track", @params = new { userId = user, messageId, @event = "Step Done", properties = CallSequence.Marked(i) } },
        };
    });

    private static async Task<List<(long Id, string MessageId, string? UserId, string? Type, int Status)>> StoredAsync(TestDatabase database)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "Id", "MessageId", "UserId", "Type", "Status" FROM "Messages" ORDER BY "Id" """;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string, string?, string?, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4)));
        }

        return rows;
    }

    private static async Task<double> ResentAfterCrashAsync(DeliveringRelay relay)
    {
        using var http = new HttpClient { BaseAddress = relay.Address };
        return (await PrometheusScrape.OfAsync(http)).Value("userlist_relay_delivery_resent_after_crash_total");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
}

/// <summary>The crash test runs alone: it kills and restarts processes and wants the machine's cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash";
}
