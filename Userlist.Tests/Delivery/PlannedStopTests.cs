using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Userlist.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Userlist.Tests.Delivery;

/// <summary>
/// A deploy's stop (SIGTERM) while calls go out to a Userlist that takes 150 ms to answer: the
/// relay lets the requests in flight finish and records their answers, returns what it claimed
/// but did not send, exits, and after the restart sends nothing twice and resumes at once.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class PlannedStopTests(ITestOutputHelper output)
{
    private const string WriteKey = "stop-key";
    private const int Calls = 3_000;
    private const int Users = 100;

    [Fact]
    public async Task StoppedThreeTimesWhileDelivering_EveryCallDeliveredOnceAndDeliveryResumesAtOnce()
    {
        using var folder = new TemporaryFolder();
        await using var userlist = await FakeUserlist.StartAsync();
        userlist.Latency = TimeSpan.FromMilliseconds(150);
        // Everything else at its default: the 5-minute lease, the retry policy, the 10 s Push API timeout.
        // One request per call (no coalescing), so that every request names the one call it carried.
        var relay = new DeliveringRelay(folder.Path, userlist.Url, WriteKey, new() { ["Userlist__RequestsPerMinute"] = "60000", ["Delivery__Coalesce"] = "false" });
        await relay.StartAsync();
        try
        {
            await IngestAsync(relay);
            var resumedAfter = new List<double>();
            var stoppedIn = new List<double>();
            foreach (var progress in new[] { 400, 1_200, 2_000 })
            {
                await Eventually.HoldsAsync(() => Task.FromResult(userlist.Arrivals.Count >= progress),
                    $"{progress} requests reached Userlist", TimeSpan.FromSeconds(60));
                var stopping = System.Diagnostics.Stopwatch.StartNew();
                var exitCode = await relay.StopAsync(within: TimeSpan.FromSeconds(30));
                stoppedIn.Add(stopping.Elapsed.TotalSeconds);
                var arrived = userlist.Arrivals.Count;

                Assert.Equal(0, exitCode);
                var (delivering, _, attempts) = await StateAsync(relay.DatabasePath);
                Assert.True(delivering == 0, $"{delivering} calls were left Delivering by the stop");
                Assert.True(attempts == arrived, $"Userlist received {arrived} requests but the relay recorded {attempts} attempts");

                var restarted = DateTimeOffset.UtcNow;
                await relay.StartAsync();
                await Eventually.HoldsAsync(() => Task.FromResult(userlist.Arrivals.Count > arrived),
                    "delivery resumed after the restart", TimeSpan.FromSeconds(30));
                resumedAfter.Add((userlist.Arrivals.Skip(arrived).First().ReceivedAt - restarted).TotalSeconds);
            }

            await Eventually.HoldsAsync(async () => (await StateAsync(relay.DatabasePath)).Delivered == Calls,
                "every call is Delivered", TimeSpan.FromSeconds(120));
            var sentTwice = userlist.Arrivals.GroupBy(r => CallSequence.Of(r.Body)).Count(g => g.Count() > 1);
            output.WriteLine($"STOP calls={Calls} requests-to-userlist={userlist.Arrivals.Count} sent-twice={sentTwice} " +
                $"stopped-in-s=[{string.Join(", ", stoppedIn.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}] " +
                $"resumed-after-restart-s=[{string.Join(", ", resumedAfter.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}]");
            Assert.Equal(0, sentTwice);
            Assert.Equal(Calls, userlist.Arrivals.Count);
            Assert.All(resumedAfter, seconds => Assert.True(seconds < 10, $"delivery resumed {seconds:0.0} s after a restart"));
        }
        finally
        {
            relay.Kill();
        }
    }

    /// <summary>All the calls first, in batches, each an identify carrying its own sequence number.</summary>
    private static async Task IngestAsync(DeliveringRelay relay)
    {
        using var http = new HttpClient { BaseAddress = relay.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        foreach (var chunk in Enumerable.Range(0, Calls).Chunk(500))
        {
            var batch = chunk.Select(i => new { type = "identify", userId = $"user-{i % Users}", messageId = $"s-{i}", traits = new { seq = i } });
            using var response = await http.PostAsync("/v1/batch", new StringContent(JsonSerializer.Serialize(new { batch }), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task<(int Delivering, int Delivered, int Attempts)> StateAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM Messages WHERE Status = 1), (SELECT count(*) FROM Messages WHERE Status = 3),
                   (SELECT count(*) FROM DeliveryAttempts)
            """;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
    }
}
