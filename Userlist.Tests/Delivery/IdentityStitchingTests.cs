using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>
/// Identity stitching (design §10, <c>Delivery:IdentityWaitHours</c>) end to end, on each storage
/// provider: anonymous track and group calls wait for an identify or alias naming their anonymous
/// id, then reach the fake Userlist as that user, after the user; past the window they are Rejected.
/// </summary>
public abstract class IdentityStitchingTests(StorageKind storage)
{
    public sealed class OnSqlite() : IdentityStitchingTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : IdentityStitchingTests(StorageKind.Postgres);

    [SkippableFact]
    public async Task AnonymousTracksThenIdentify_TheyWait_ThenGoAsTheUser_InOrder_AfterTheUser()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/batch", """
            {"batch":[
              {"type":"track","anonymousId":"anon-1","event":"Viewed Pricing","messageId":"t1","properties":{"plan":"pro"}},
              {"type":"track","anonymousId":"anon-1","event":"Started Signup","messageId":"t2"}]}
            """);
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);
        await harness.UntilStatusAsync("t2", MessageStatus.Waiting);
        Assert.Contains("anonymous id anon-1", (await harness.MessageAsync("t1")).StatusReason);
        Assert.Empty(harness.Userlist.Requests);

        await harness.SendAsync("/v1/identify", """{"userId":"ada","anonymousId":"anon-1","messageId":"i1","traits":{"email":"ada@example.com"}}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Delivered);
        await harness.UntilStatusAsync("t2", MessageStatus.Delivered);

        Assert.Equal(["POST /users ada", "POST /events ada Viewed Pricing", "POST /events ada Started Signup"], Sent(harness));
        var identify = await harness.MessageAsync("i1");
        var stitched = await harness.MessageAsync("t1");
        Assert.Equal(("ada", identify.Id), (stitched.LinkedUserId, stitched.LinkedByMessageRowId));
        Assert.Null(stitched.StatusReason);
        Assert.False(JsonDocument.Parse(stitched.Payload).RootElement.TryGetProperty("userId", out _), "the stored call is never changed");
    }

    [SkippableFact]
    public async Task LaterAnonymousCallOfALinkedId_GoesAtOnceAsTheUser()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/identify", """{"userId":"ada","anonymousId":"anon-1","messageId":"i1"}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);

        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-1","event":"Opened Docs","messageId":"t1","context":{"groupId":"acme"}}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Delivered);

        Assert.Equal(["POST /users ada", "POST /events ada Opened Docs"], Sent(harness));
        Assert.Contains("\"company\":\"acme\"", harness.Userlist.Requests[^1].Body);
    }

    [SkippableFact]
    public async Task AnonymousGroupCall_GoesAsTheLinkedUser_WithItsRelationship()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/group", """{"anonymousId":"anon-1","groupId":"acme","messageId":"g1","traits":{"name":"Acme"}}""");
        await harness.UntilStatusAsync("g1", MessageStatus.Waiting);

        await harness.SendAsync("/v1/identify", """{"userId":"ada","anonymousId":"anon-1","messageId":"i1"}""");
        await harness.UntilStatusAsync("g1", MessageStatus.Delivered);

        Assert.Equal(["POST /users", "POST /companies"], harness.Userlist.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("""{"identifier":"acme","name":"Acme","properties":{},"relationships":[{"user":"ada"}]}""", harness.Userlist.Requests[^1].Body);
    }

    [SkippableFact]
    public async Task AliasOfAUserNotYetIdentified_CallsWaitForTheUsersIdentify()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-2","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);
        await harness.SendAsync("/v1/alias", """{"previousId":"anon-2","userId":"bob","messageId":"a1"}""");
        await harness.UntilStatusAsync("a1", MessageStatus.Skipped);
        Assert.Equal(MessageStatus.Waiting, (await harness.MessageAsync("t1")).Status);

        await harness.SendAsync("/v1/identify", """{"userId":"bob","messageId":"i1","traits":{"plan":"pro"}}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Delivered);

        Assert.Equal(["POST /users bob", "POST /events bob Viewed Pricing"], Sent(harness));
        Assert.Equal((await harness.MessageAsync("a1")).Id, (await harness.MessageAsync("t1")).LinkedByMessageRowId);
    }

    [SkippableFact]
    public async Task AliasOfAnIdentifiedUser_ReleasesTheWaitingCallsAtOnce()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/identify", """{"userId":"bob","messageId":"i1"}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-3","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);

        await harness.SendAsync("/v1/alias", """{"previousId":"anon-3","userId":"bob","messageId":"a1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Delivered);

        Assert.Equal(["POST /users bob", "POST /events bob Viewed Pricing"], Sent(harness));
    }

    [SkippableFact]
    public async Task WaitingCalls_ExpireToRejectedOnceTheWindowHasPassed_AndALaterLinkLeavesThemSo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = await DeliveryHarness.StartAsync(storage, time: clock);
        var expiry = harness.Relay.Services.GetRequiredService<WaitingExpiryJob>();
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-4","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);

        clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await expiry.RunAsync(CancellationToken.None));
        Assert.Equal(MessageStatus.Waiting, (await harness.MessageAsync("t1")).Status);
        clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal(1, await expiry.RunAsync(CancellationToken.None));

        var expired = await harness.MessageAsync("t1");
        Assert.Equal(MessageStatus.Rejected, expired.Status);
        Assert.Equal(IdentityStitching.ExpiredReason(TimeSpan.FromHours(24)), expired.StatusReason);
        Assert.StartsWith("No identify or alias named its anonymous id within 24 hours.", expired.StatusReason);

        await harness.SendAsync("/v1/identify", """{"userId":"ada","anonymousId":"anon-4","messageId":"i1"}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);
        Assert.Equal(MessageStatus.Rejected, (await harness.MessageAsync("t1")).Status);
        Assert.Equal(["POST /users ada"], Sent(harness));
    }

    [SkippableFact]
    public async Task SettingZero_RejectsAnonymousCallsAtOnce_AsBefore()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage, settings: new() { ["Delivery:IdentityWaitHours"] = "0" });
        await harness.SendAsync("/v1/identify", """{"userId":"ada","anonymousId":"anon-1","messageId":"i1"}""");
        await harness.UntilStatusAsync("i1", MessageStatus.Delivered);

        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-1","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Rejected);

        var rejected = await harness.MessageAsync("t1");
        Assert.Equal(SegmentToUserlist.AnonymousReason, rejected.StatusReason);
        Assert.Null(rejected.LinkedUserId);
        Assert.Equal(["POST /users ada"], Sent(harness));
    }

    [SkippableFact]
    public async Task WindowTurnedToZeroOnTheSettingsPage_WaitingCallsAreRejectedAtTheNextExpiry_NewOnesAtOnce()
    {
        await using var harness = await DeliveryHarness.StartAsync(storage);
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-5","event":"Viewed Pricing","messageId":"t1"}""");
        await harness.UntilStatusAsync("t1", MessageStatus.Waiting);

        var problems = await harness.Relay.Services.GetRequiredService<SettingsOverrides>()
            .SaveAsync(new Dictionary<string, string?> { [SettingKeys.IdentityWaitHours] = "0" }, "ops@example.com", CancellationToken.None);
        Assert.Empty(problems);
        Assert.Equal(1, await harness.Relay.Services.GetRequiredService<WaitingExpiryJob>().RunAsync(CancellationToken.None));
        await harness.SendAsync("/v1/track", """{"anonymousId":"anon-6","event":"Viewed Pricing","messageId":"t2"}""");
        await harness.UntilStatusAsync("t2", MessageStatus.Rejected);

        Assert.Equal(SegmentToUserlist.AnonymousReason, (await harness.MessageAsync("t1")).StatusReason);
        Assert.Equal(SegmentToUserlist.AnonymousReason, (await harness.MessageAsync("t2")).StatusReason);
    }

    /// <summary>Each request Userlist received as "method path identifier [event]".</summary>
    private static List<string> Sent(DeliveryHarness harness) => harness.Userlist.Requests.Select(r =>
    {
        using var body = JsonDocument.Parse(r.Body);
        var root = body.RootElement;
        return r.Path == "/events"
            ? $"{r.Method} {r.Path} {root.GetProperty("user").GetString()} {root.GetProperty("name").GetString()}"
            : $"{r.Method} {r.Path} {root.GetProperty("identifier").GetString()}";
    }).ToList();
}
