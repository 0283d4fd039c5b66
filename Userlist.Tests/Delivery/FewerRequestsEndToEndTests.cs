using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Design §10's proof, end to end with the real @segment/analytics-node client: one web app's
/// calls (page-load identifies, trait changes, groups, tracks, anonymous calls before sign-up, an
/// alias) through a relay with the defaults leave Userlist exactly as one request per call would,
/// plus the stitched anonymous calls, with fewer requests; with the three settings at 0 the relay
/// sends one request per call and rejects anonymous calls, as before.
/// </summary>
public sealed class FewerRequestsEndToEndTests
{
    private const string Operator = "ops@example.com";

    /// <summary>Anonymous calls in the trace that an identify or alias links (a2's three, a3's two).</summary>
    private const int Stitchable = 5;

    [SkippableFact]
    public async Task Defaults_LeaveUserlistAsOneRequestPerCall_PlusTheStitchedCalls_WithFewerRequests()
    {
        NodeClient.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(StorageKind.Sqlite, pushKey: null, onRealPort: true);
        // A backlog (no key yet) lets coalescing merge; the unchanged skip and stitching work either way.
        var sent = await NodeClient.SendAsync(harness.ServerAddress, RelayFactory.WriteKey, Trace());
        Assert.Empty(sent.Failed);
        await harness.Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(DeliveryHarness.PushKey, Operator, CancellationToken.None);
        var stored = await SettledAsync(harness, waiting: 1);

        var received = UserlistEndState.Of(harness.Userlist.Requests.Select(r => (r.Method, r.Path, r.Body)));
        var onePerCall = UserlistEndState.Of(OnePerCall(stored, asLinked: true));
        Assert.Equal(onePerCall.Records, received.Records);
        Assert.Equal(onePerCall.Events, received.Events);

        var stitched = stored.Where(m => m.LinkedUserId is not null).ToList();
        Assert.Equal(Stitchable, stitched.Count);
        // a2's group call repeats what u2's own group calls set in Globex by the time it is linked: that one is Skipped.
        Assert.All(stitched, m => Assert.True(m.Status == MessageStatus.Delivered || m.StatusReason?.StartsWith("unchanged since call #", StringComparison.Ordinal) == true,
            $"{m.Type} {m.Event}: {m.Status} {m.StatusReason}"));
        Assert.Equal("Viewed Pricing", Assert.Single(stored, m => m.Status == MessageStatus.Waiting).Event);
        Assert.True(harness.Userlist.Requests.Count < OnePerCall(stored, asLinked: true).Count,
            $"{harness.Userlist.Requests.Count} requests sent for {OnePerCall(stored, asLinked: true).Count} calls with something to send");

        // Each stitched call reached Userlist after its user did.
        var arrivals = harness.Userlist.Requests.ToList();
        foreach (var user in stitched.Select(m => m.LinkedUserId!).Distinct())
        {
            var userArrived = arrivals.FindIndex(r => r.Path == "/users" && r.Body.Contains($"\"identifier\":\"{user}\"", StringComparison.Ordinal));
            var firstStitched = arrivals.FindIndex(r => r.Path != "/users" && r.Body.Contains($"\"{user}\"", StringComparison.Ordinal)
                && stitched.Any(m => m.LinkedUserId == user && r.Body == SegmentToUserlist.Map(m.Payload, user).Request!.Body));
            Assert.InRange(userArrived, 0, firstStitched - 1);
        }
    }

    [SkippableFact]
    public async Task SettingsAtZero_SendOneRequestPerCall_AndRejectAnonymousCalls_AsBefore()
    {
        NodeClient.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(StorageKind.Sqlite, onRealPort: true, settings: new()
        {
            ["Delivery:Coalesce"] = "false",
            ["Delivery:SkipUnchangedHours"] = "0",
            ["Delivery:IdentityWaitHours"] = "0",
        });
        var sent = await NodeClient.SendAsync(harness.ServerAddress, RelayFactory.WriteKey, Trace());
        Assert.Empty(sent.Failed);
        var stored = await SettledAsync(harness, waiting: 0);

        Assert.Equal(OnePerCall(stored, asLinked: false).Select(r => $"{r.Method} {r.Path} {r.Body}").Order(),
            harness.Userlist.Requests.Select(r => $"{r.Method} {r.Path} {r.Body}").Order());
        var anonymous = stored.Where(m => m.UserId is null && m.Type is "track" or "group").ToList();
        Assert.Equal(Stitchable + 1, anonymous.Count);
        Assert.All(anonymous, m => Assert.Equal((MessageStatus.Rejected, SegmentToUserlist.AnonymousReason, null), (m.Status, m.StatusReason, m.LinkedUserId)));
    }

    /// <summary>Waits until every call has its outcome (or waits for an identity) and returns them in the order received.</summary>
    private static async Task<List<Message>> SettledAsync(DeliveryHarness harness, int waiting)
    {
        var calls = Trace().Count;
        List<Message> stored = [];
        await Eventually.HoldsAsync(async () =>
        {
            stored = await harness.Relay.MessagesAsync();
            return stored.Count == calls && stored.Count(m => m.Status == MessageStatus.Waiting) == waiting
                && stored.All(m => m.Status is not (MessageStatus.Pending or MessageStatus.Delivering or MessageStatus.Retrying));
        }, $"all {calls} calls have their outcome, {waiting} waiting");
        return [.. stored.OrderBy(m => m.Id)];
    }

    /// <summary>The requests of sending each call alone, in the order received; stitched calls as their linked user when <paramref name="asLinked"/>.</summary>
    private static List<(string Method, string Path, string Body)> OnePerCall(List<Message> stored, bool asLinked) =>
        stored.Select(m => SegmentToUserlist.Map(m.Payload, asLinked ? m.LinkedUserId : null).Request)
            .OfType<PushRequest>().Select(r => (r.Method, r.Path, r.Body)).ToList();

    /// <summary>A few visitors of a web app: page-load identifies, trait changes, groups, tracks, anonymous calls before sign-up, an alias.</summary>
    private static List<object> Trace()
    {
        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        var calls = new List<object>();
        void Add(string method, object call) => calls.Add(new { method, @params = call });
        string Next() => (at = at.AddSeconds(7)).ToString("O");

        Add("identify", new { userId = "u1", anonymousId = "a1", timestamp = Next(), traits = new { email = "u1@example.com", plan = "free" } });
        Add("page", new { userId = "u1", name = "Dashboard", timestamp = Next() });
        Add("identify", new { userId = "u1", timestamp = Next(), traits = new { email = "u1@example.com", plan = "free" } });
        Add("identify", new { userId = "u1", timestamp = Next(), traits = new { plan = "pro" } });
        Add("track", new { userId = "u1", @event = "Upgraded", timestamp = Next(), properties = new { plan = "pro" } });
        Add("identify", new { userId = "u1", timestamp = Next(), traits = new { plan = "pro" } });
        Add("track", new { anonymousId = "a2", @event = "Viewed Pricing", timestamp = Next() });
        Add("track", new { anonymousId = "a2", @event = "Started Signup", timestamp = Next(), properties = new { step = 1 } });
        Add("group", new { anonymousId = "a2", groupId = "globex", timestamp = Next(), traits = new { name = "Globex" } });
        Add("identify", new { userId = "u2", anonymousId = "a2", timestamp = Next(), traits = new { email = "u2@example.com", plan = "trial" } });
        Add("group", new { userId = "u2", groupId = "globex", timestamp = Next(), traits = new { name = "Globex", plan = "gold" } });
        Add("group", new { userId = "u2", groupId = "globex", timestamp = Next(), traits = new { name = "Globex", plan = "gold" } });
        Add("identify", new { userId = "u2", timestamp = Next(), traits = new { plan = "trial" } });
        Add("group", new { userId = "u2", groupId = "globex", timestamp = Next(), traits = new { seats = 5 } });
        Add("track", new { anonymousId = "a3", @event = "Viewed Pricing", timestamp = Next() });
        Add("alias", new { previousId = "a3", userId = "u3", timestamp = Next() });
        Add("identify", new { userId = "u3", timestamp = Next(), traits = new { email = "u3@example.com" } });
        Add("track", new { userId = "u3", @event = "Created Project", timestamp = Next() });
        Add("track", new { anonymousId = "a3", @event = "Invited Teammate", timestamp = Next() });
        Add("track", new { anonymousId = "a9", @event = "Viewed Pricing", timestamp = Next() });
        Add("identify", new { userId = "u1", timestamp = Next(), traits = new { plan = "pro", seats = 2 } });
        Add("group", new { userId = "u1", groupId = "acme", timestamp = Next(), traits = new { name = "Acme" } });
        return calls;
    }
}
