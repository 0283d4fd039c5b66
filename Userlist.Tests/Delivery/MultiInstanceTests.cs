using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Operators;
using Xunit.Abstractions;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Two relay processes on one PostgreSQL database, as two replicas behind a load balancer: a
/// sender posts batches to each in turn (to the other while one is down), and each instance is
/// killed with SIGKILL and restarted in turn, the dispatcher first. Afterwards every acknowledged
/// call has reached Userlist, each user's in the order sent, and no 60 s held more requests than
/// the limit; the other instance took over delivery within seconds of each kill; and an operator
/// who signed in on one instance is signed in on the other, whose overview names the dispatcher.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed partial class MultiInstanceTests(ITestOutputHelper output)
{
    private const string WriteKey = "multi-key";
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    /// <summary>The operator's sign-in cookie (OperatorsSetup names it).</summary>
    private const string SignInCookie = "userlist-relay";

    /// <summary>Requests per minute, at the relays and at the fake Userlist.</summary>
    private const int Limit = 180;

    /// <summary>
    /// More than a minute's worth of requests: two instances dispatching at once would put more
    /// than the limit in a minute, so the test can fail on it. Delivering them takes just over a minute.
    /// </summary>
    private const int Calls = Limit + 10;

    private const int Users = 10;
    private const int BatchSize = 5;

    /// <summary>The sender's pace (the scenario's input): the calls go out over about 20 s, while the kills happen.</summary>
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(500);

    [SkippableFact]
    public async Task TwoInstancesKilledInTurn_EveryCallDeliveredInOrderUnderTheLimit_AndASignInHoldsOnBoth()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var folderA = new TemporaryFolder();
        using var folderB = new TemporaryFolder();
        await using var userlist = await FakeUserlist.StartAsync();
        userlist.RequestsPerMinute = Limit;
        var settings = new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Userlist"] = database,
            ["Userlist__RequestsPerMinute"] = Limit.ToString(CultureInfo.InvariantCulture),
        };
        DeliveringRelay[] relays = [new(folderA.Path, userlist.Url, WriteKey, settings), new(folderB.Path, userlist.Url, WriteKey, settings)];
        var run = Stopwatch.StartNew();
        try
        {
            // Both start at once on the empty database, as a deployment's replicas do.
            await Task.WhenAll(relays.Select(relay => relay.StartAsync()));
            var started = run.Elapsed;
            var sender = new BalancedSender(relays);
            var sending = sender.SendAsync(Calls);

            // Meanwhile the first operator is made on A and signs in there; on B that cookie opens
            // the overview, not the sign-in page (the key ring is in the database).
            var cookie = await SetUpAndSignInAsync(relays[0].Address);
            await OverviewAsync(relays[1].Address, cookie);

            var killed = new List<int>();
            var takeovers = new List<double>();
            foreach (var progress in new[] { Calls / 3, Calls * 2 / 3 })
            {
                await Eventually.HoldsAsync(() => Task.FromResult(sender.Acknowledged >= progress && userlist.Arrivals.Count > 0),
                    $"{progress} calls are acknowledged and delivery has begun", TimeSpan.FromSeconds(60));
                var dispatcher = await DispatcherAsync(relays, cookie);
                killed.Add(dispatcher);
                var arrived = userlist.Arrivals.Count;
                relays[dispatcher].Kill();
                var killedAt = DateTimeOffset.UtcNow;
                await Eventually.HoldsAsync(() => Task.FromResult(userlist.Arrivals.Skip(arrived).Any(r => r.ReceivedAt > killedAt)),
                    "the other instance delivers", TimeSpan.FromSeconds(30));
                takeovers.Add((userlist.Arrivals.Skip(arrived).First(r => r.ReceivedAt > killedAt).ReceivedAt - killedAt).TotalSeconds);
                await relays[dispatcher].StartAsync();
            }

            var acknowledged = await sending;
            await Eventually.HoldsAsync(() => Task.FromResult(Delivered(userlist).IsSupersetOf(acknowledged)),
                "every acknowledged call has reached Userlist", TimeSpan.FromSeconds(120));

            var arrivals = userlist.Arrivals;
            var sequences = arrivals.SelectMany(r => CallSequence.All(r.Body)).ToList();
            var busiestMinute = arrivals.Select((first, i) => arrivals.Skip(i).TakeWhile(r => r.ReceivedAt - first.ReceivedAt < TimeSpan.FromMinutes(1)).Count()).Max();
            output.WriteLine($"MULTI calls={Calls} limit={Limit}/min requests-to-userlist={arrivals.Count} sent-twice={sequences.Count - sequences.Distinct().Count()} " +
                $"busiest-minute={busiestMinute} answered-429={userlist.RateLimitedCount} acknowledged-by=[A {sender.AcknowledgedBy[0]}, B {sender.AcknowledgedBy[1]}] " +
                $"failed-over={sender.FailedOver} killed=[{string.Join(", ", killed.Select(i => "AB"[i]))}] " +
                $"takeover-s=[{string.Join(", ", takeovers.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))}] started-s={started.TotalSeconds:0} run-s={run.Elapsed.TotalSeconds:0}");

            // Each instance was killed in turn, each time as the dispatcher: the role moved to the survivor.
            Assert.Equal(new[] { killed[0], 1 - killed[0] }, killed);
            foreach (var user in Enumerable.Range(0, Users))
            {
                var sent = acknowledged.Where(seq => seq % Users == user).Order().ToList();
                Assert.Equal(sent, sequences.Where(seq => seq % Users == user).Distinct().ToList());
            }

            Assert.True(busiestMinute <= Limit, $"{busiestMinute} requests reached Userlist within 60 s: more than the limit of {Limit}");
            // Sent twice: at most the requests in flight at the two kills (the dispatcher's concurrency, 32).
            Assert.True(sequences.Count - sequences.Distinct().Count() <= 2 * 32, "more calls were sent twice than can be in flight at two kills");
            Assert.All(takeovers, seconds => Assert.True(seconds < 10, $"delivery resumed {seconds:0.0} s after the dispatcher was killed"));
        }
        finally
        {
            foreach (var relay in relays)
            {
                relay.Kill();
            }

            await PostgresServer.DropDatabaseAsync(database);
        }
    }

    private static HashSet<int> Delivered(FakeUserlist userlist) =>
        userlist.Requests.Where(r => r.AnsweredStatus == 202).SelectMany(r => CallSequence.All(r.Body)).ToHashSet();

    /// <summary>
    /// Creates the first operator through the setup page on one instance, then signs in there
    /// afresh; returns the sign-in cookie as a Cookie header.
    /// </summary>
    private static async Task<string> SetUpAndSignInAsync(Uri instance)
    {
        using (var setup = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = instance })
        {
            var created = await AccountForms.PostAsync(setup, "/account/setup", "/account/setup", ("email", Email), ("password", Password), ("confirm", Password));
            Assert.Equal("/", created.RequestMessage!.RequestUri!.AbsolutePath);
        }

        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = instance };
        var signedIn = await AccountForms.SignInAsync(client, Email, Password);
        Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        var identity = Assert.Single(cookies.GetCookies(instance), cookie => cookie.Name == SignInCookie);
        return $"{identity.Name}={identity.Value}";
    }

    /// <summary>
    /// The instance whose overview says it dispatches, once the other's names it too (a standby
    /// reads the dispatcher's name every couple of seconds).
    /// </summary>
    private static async Task<int> DispatcherAsync(DeliveringRelay[] relays, string cookie)
    {
        var dispatcher = -1;
        await Eventually.HoldsAsync(async () =>
        {
            var pages = await Task.WhenAll(relays.Select(relay => OverviewAsync(relay.Address, cookie)));
            var here = Array.FindIndex(pages, page => page.ThisInstance);
            dispatcher = here;
            return here >= 0 && pages[1 - here] is { ThisInstance: false, Dispatcher: { } named } && named == pages[here].Dispatcher;
        }, "one instance's overview says it dispatches and the other's names it", TimeSpan.FromSeconds(15));
        return dispatcher;
    }

    /// <summary>The overview with the cookie: a signed-in page (not the sign-in redirect), and what it says about the dispatcher.</summary>
    private static async Task<(bool ThisInstance, string? Dispatcher)> OverviewAsync(Uri instance, string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = instance };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{instance} answered the signed-in overview with {(int)response.StatusCode} {response.Headers.Location}");
        var line = DispatcherLine().Match(await response.Content.ReadAsStringAsync());
        Assert.True(line.Success, $"{instance}'s overview has no line on which instance dispatches");
        var text = WebUtility.HtmlDecode(line.Groups[1].Value);
        return text.StartsWith("Delivery runs on this instance, ", StringComparison.Ordinal) ? (true, text["Delivery runs on this instance, ".Length..^1])
            : Named().Match(text) is { Success: true } named ? (false, named.Groups[1].Value)
            : (false, null);
    }

    [GeneratedRegex("data-testid=\"dispatcher\"[^>]*>([^<]*)<")]
    private static partial Regex DispatcherLine();

    [GeneratedRegex("^Delivery runs on (.+): another instance dispatches")]
    private static partial Regex Named();

    /// <summary>
    /// Posts batches in order, each to the next instance in turn, and to the other one when that
    /// one does not answer 200, as a load balancer does; returns the calls acknowledged.
    /// </summary>
    private sealed class BalancedSender(DeliveringRelay[] relays)
    {
        private int acknowledged;

        public int Acknowledged => Volatile.Read(ref acknowledged);

        public int[] AcknowledgedBy { get; } = new int[relays.Length];

        public int FailedOver { get; private set; }

        public async Task<List<int>> SendAsync(int calls)
        {
            var clients = relays.Select(relay => Client(relay.Address)).ToArray();
            var sent = new List<int>();
            try
            {
                var turn = 0;
                foreach (var batch in Enumerable.Range(0, calls).Chunk(BatchSize))
                {
                    var body = JsonSerializer.Serialize(new { batch = batch.Select(Call) });
                    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                    for (var attempt = 0; ; attempt++)
                    {
                        var target = (turn + attempt) % clients.Length;
                        if (await PostAsync(clients[target], body))
                        {
                            AcknowledgedBy[target]++;
                            FailedOver += attempt > 0 ? 1 : 0;
                            break;
                        }

                        Assert.True(DateTime.UtcNow < deadline, "no instance acknowledged a batch for 30 s");
                        if (target != turn % clients.Length)
                        {
                            // Neither answered: back off a little, as a client does, before the next round.
                            await Task.Delay(200);
                        }
                    }

                    sent.AddRange(batch);
                    Interlocked.Add(ref acknowledged, batch.Length);
                    turn++;
                    await Task.Delay(BatchInterval);
                }

                return sent;
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }
        }

        private static object Call(int seq)
        {
            var userId = $"user-{seq % Users}";
            var messageId = $"m-{seq}";
            return seq / Users % 2 == 0
                ? new { type = "identify", userId, messageId, traits = CallSequence.Marked(seq) }
                : (object)new { type = "track", userId, messageId, @event = "Step Done", properties = CallSequence.Marked(seq) };
        }

        private static async Task<bool> PostAsync(HttpClient client, string body)
        {
            try
            {
                using var response = await client.PostAsync("/v1/batch", new StringContent(body, Encoding.UTF8, "application/json"));
                return response.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Refused, reset or timed out: the instance is down.
                return false;
            }
        }

        private static HttpClient Client(Uri address)
        {
            var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
            return client;
        }
    }
}
