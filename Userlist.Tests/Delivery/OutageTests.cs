using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Userlist down for a stretch of simulated time, with the default retry policy (10 s doubling,
/// ±20% jitter, 8 attempts): the clock jumps from one due retry to the next, and each user's
/// calls must still arrive in order once Userlist is back.
/// </summary>
public abstract class OutageTests(StorageKind storage)
{
    public sealed class OnSqlite() : OutageTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : OutageTests(StorageKind.Postgres);

    private const int Users = 5;
    private const int CallsPerUser = 4;

    [SkippableFact]
    public async Task FiveMinuteOutage_EverythingDeliveredAfterwards_InEachUsersOrder_OnTheRetrySchedule()
    {
        await using var outage = await Outage.StartAsync(storage);
        await outage.SendCallsAsync();

        await outage.DriveAsync(until: () => outage.Clock.GetUtcNow() >= outage.Started.AddMinutes(5));
        outage.Recover();
        await outage.DriveAsync(until: () => false, finished: messages => messages.All(m => m.Status == MessageStatus.Delivered));

        var messages = await outage.Relay.MessagesAsync();
        Assert.All(messages, m => Assert.Equal(MessageStatus.Delivered, m.Status));
        outage.AssertEachUsersOrder();
        var firstCall = messages.First(m => m.UserId == "user-0");
        await outage.AssertOnScheduleAsync(firstCall.Id);
        Assert.Equal(messages.Count, outage.Userlist.Requests.Count(r => r.AnsweredStatus == 202));
    }

    [SkippableFact]
    public async Task OutageBeyondThePolicy_EndsInFailedWithTheReason_AndABulkRetryDeliversAll()
    {
        await using var outage = await Outage.StartAsync(storage);
        await outage.SendCallsAsync();

        await outage.DriveAsync(until: () => false, finished: messages => messages.All(m => m.Status == MessageStatus.Failed));

        var failed = await outage.Relay.MessagesAsync();
        Assert.All(failed, m => Assert.Equal("Gave up after 8 attempts: Userlist answered 503", m.StatusReason));
        outage.Recover();
        var retried = await outage.Relay.Services.GetRequiredService<RetryService>()
            .SendMatchingAgainAsync(SendAgain.Retry, new MessageFilter(Status: MessageStatus.Failed), "ops@example.com", null, null, CancellationToken.None);
        Assert.Equal(Users * CallsPerUser, retried);

        await outage.DriveAsync(until: () => false, finished: messages => messages.All(m => m.Status == MessageStatus.Delivered));
        outage.AssertEachUsersOrder(deliveredOnly: true);
    }

    private sealed class Outage : IAsyncDisposable
    {
        private readonly TestDatabase database;
        private volatile bool down = true;

        private Outage(FakeUserlist userlist, TestDatabase database, RelayFactory relay, FakeTimeProvider clock)
        {
            (Userlist, this.database, Relay, Clock) = (userlist, database, relay, clock);
            Started = clock.GetUtcNow();
        }

        public FakeUserlist Userlist { get; }

        public RelayFactory Relay { get; }

        public FakeTimeProvider Clock { get; }

        public DateTimeOffset Started { get; }

        public static async Task<Outage> StartAsync(StorageKind storage)
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var database = await TestDatabase.CreateAsync(storage);
            var userlist = await FakeUserlist.StartAsync();
            var relay = new RelayFactory(database) { Time = clock };
            relay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
            relay.Settings["Userlist:PushKey"] = "k";

            // No pacing waits on the frozen clock: the schedule under test is the retry policy's.
            relay.Settings["Userlist:RequestsPerMinute"] = "1000000";
            var outage = new Outage(userlist, database, relay, clock);
            userlist.Script = _ => Task.FromResult(outage.down ? new FakeUserlist.Scripted(503) : null);
            return outage;
        }

        public void Recover() => down = false;

        public async Task SendCallsAsync()
        {
            using var client = Relay.CreateClient();
            var calls = Enumerable.Range(0, CallsPerUser).SelectMany(n => Enumerable.Range(0, Users).Select(u =>
                $$"""{"type":"track","userId":"user-{{u}}","event":"Step {{n}}","messageId":"user-{{u}}-step-{{n}}"}"""));
            await (await client.SendAsync(Relay.Post("/v1/batch", $$"""{"batch":[{{string.Join(",", calls)}}]}"""))).AssertSuccessAsync();
        }

        /// <summary>
        /// Lets delivery do all it can at the current simulated time, then moves the clock to the
        /// next retry due, until the condition on the clock or on the stored calls holds.
        /// </summary>
        public async Task DriveAsync(Func<bool> until, Func<List<Message>, bool>? finished = null)
        {
            var signal = Relay.Services.GetRequiredService<DispatchSignal>();
            for (var step = 0; step < 500; step++)
            {
                signal.Nudge();
                await Eventually.HoldsAsync(async () => IsSettled(await Relay.MessagesAsync()), "delivery has done what is due", TimeSpan.FromSeconds(20));
                var messages = await Relay.MessagesAsync();
                if (until() || (finished?.Invoke(messages) ?? false))
                {
                    return;
                }

                var next = messages.Where(m => m.Status == MessageStatus.Retrying).Min(m => m.NextAttemptAt);
                Assert.True(next is not null, "something is waiting to be retried");
                Clock.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(next!.Value, DateTimeKind.Utc)).AddMilliseconds(1));
            }

            Assert.Fail("delivery did not finish within 500 steps");
        }

        /// <summary>Each user's calls reached Userlist in the order they were sent.</summary>
        public void AssertEachUsersOrder(bool deliveredOnly = false)
        {
            var received = Userlist.Requests.Where(r => !deliveredOnly || r.AnsweredStatus == 202).ToList();
            for (var u = 0; u < Users; u++)
            {
                var steps = received
                    .Where(r => r.AnsweredStatus == 202 && r.Body.Contains($"\"user-{u}\"", StringComparison.Ordinal))
                    .Select(r => r.Body[(r.Body.IndexOf("Step ", StringComparison.Ordinal) + 5)..][..1])
                    .ToList();
                Assert.Equal(Enumerable.Range(0, CallsPerUser).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), steps);
            }
        }

        /// <summary>The waits between one call's attempts follow the policy: 10 s doubling, ±20%.</summary>
        public async Task AssertOnScheduleAsync(long messageRowId)
        {
            var detail = await Relay.Services.GetRequiredService<MessageQueries>().DetailAsync(messageRowId, CancellationToken.None);
            var starts = detail!.Attempts.Select(a => a.StartedAt).ToList();
            Assert.True(starts.Count >= 5, $"{starts.Count} attempts over a five-minute outage");
            for (var i = 1; i < starts.Count; i++)
            {
                var nominal = 10 * Math.Pow(2, i - 1);
                Assert.InRange((starts[i] - starts[i - 1]).TotalSeconds, nominal * 0.8 - 0.01, nominal * 1.2 + 0.05);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Userlist.DisposeAsync();
            await database.DisposeAsync();
        }

        /// <summary>
        /// Nothing due is left undone: no call being delivered, no retry due, and no Pending call
        /// that isn't waiting behind an earlier call of its user.
        /// </summary>
        private bool IsSettled(List<Message> messages)
        {
            var now = Clock.GetUtcNow().UtcDateTime;
            return messages.All(m => m.Status switch
            {
                MessageStatus.Delivering => false,
                MessageStatus.Retrying => m.NextAttemptAt > now,
                MessageStatus.Pending => messages.Any(earlier => earlier.UserId == m.UserId && earlier.Id < m.Id
                    && earlier.Status is MessageStatus.Pending or MessageStatus.Retrying or MessageStatus.Delivering),
                _ => true,
            });
        }
    }
}
