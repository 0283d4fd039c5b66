using Bunit;
using Microsoft.Extensions.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Pages.Events;

namespace Userlist.Tests.Pages;

public sealed class EventDetailPageTests
{
    private const string Track = """{"type":"track","userId":"u1","event":"Report Exported","properties":{"format":"csv"},"messageId":"m1"}""";

    [Fact]
    public async Task Populated_ShowsCallMappedRequestAttemptsTimelineAndMaskedCurl()
    {
        await using var context = new PageContext();
        await context.Get<DeliverySettings>().SavePushKeyAsync("push-secret-key-7890", PageContext.OperatorEmail, CancellationToken.None);
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Failed, payload: Track, reason: "Gave up after 8 attempts: Userlist answered 500")))[0];
        await context.AttemptAsync(call.Id, 500, "Transient", """{"error":"upstream"}""");

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Contains("\"event\": \"Report Exported\"", page.Find("[data-testid=raw-call]").TextContent));
        Assert.Equal("POST /events", page.Find("[data-testid=mapped]").TextContent);
        Assert.Contains("Gave up after 8 attempts", page.Find("[data-testid=reason]").TextContent);
        Assert.Contains("""{"error":"upstream"}""", page.Find("[data-testid=attempts]").TextContent);
        var timeline = page.Find("[data-testid=timeline]").TextContent;
        Assert.Contains("Received from \u2068config-test\u2069", timeline);
        Assert.Contains("Attempt 1: Transient (500)", timeline);
        Assert.Contains("Now Failed", timeline);
        var curl = page.Find("[data-testid=curl]").TextContent;
        Assert.Contains("curl -X POST 'http://127.0.0.1:9/events'", curl);
        Assert.Contains("Authorization: Push ••••••••7890", curl);
        Assert.DoesNotContain("push-secret-key-7890", page.Markup);
        Assert.Equal($"/sandbox?from={call.Id}", page.Find("a[data-testid=open-in-sandbox]").GetAttribute("href"));
    }

    [Fact]
    public async Task Retry_SendsTheCallBackAndRecordsWhoRetriedIt()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Rejected, payload: Track, reason: "User must exist")))[0];
        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));
        page.Until(() => Assert.False(page.Find("button[data-testid=retry]").HasAttribute("disabled")));

        page.ClickCurrent(() => page.Find("button[data-testid=retry]"));

        page.Until(() => Assert.Contains($"Retried by {PageContext.OperatorEmail}", page.Find("[data-testid=timeline]").TextContent));
        Assert.Equal(MessageStatus.Pending, (await context.MessagesAsync()).Single().Status);
        Assert.True(page.Find("button[data-testid=retry]").HasAttribute("disabled"), "a Pending call can't be retried again");
        var audit = Assert.Single(await context.AuditAsync());
        Assert.Equal(call.Id, audit.MessageRowId);
    }

    private const string AnonymousTrack = """{"type":"track","anonymousId":"anon-1","event":"Report Exported","messageId":"m-anon"}""";

    [Fact]
    public async Task Source_IsShownByTheWriteKeysName_OrAsSandbox()
    {
        await using var context = new PageContext();
        await context.Get<WriteKeyAdmin>().CreateAsync("Web app", PageContext.OperatorEmail, CancellationToken.None);
        var keyId = Assert.Single(await context.Get<WriteKeyAdmin>().ListAsync(CancellationToken.None)).Id;
        var fromKey = Seed.Call("u1", MessageStatus.Delivered, payload: Track);
        fromKey.SourceId = $"key-{keyId}";
        var fromSandbox = Seed.Call("u1", MessageStatus.Delivered, payload: Track);
        fromSandbox.SourceId = WriteKeySource.Sandbox.Id;
        await context.CallsAsync(fromKey, fromSandbox);

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, fromKey.Id));
        page.Until(() => Assert.Equal("Web app", page.Find("[data-testid=source]").TextContent));
        Assert.Contains("Received from \u2068Web app\u2069", page.Find("[data-testid=timeline]").TextContent);

        var sandboxPage = context.Render<EventDetail>(p => p.Add(x => x.Id, fromSandbox.Id));
        sandboxPage.Until(() => Assert.Equal("sandbox", sandboxPage.Find("[data-testid=source]").TextContent));
    }

    [Fact]
    public async Task AnonymousCallTheRelayRefused_WithStitchingOff_OffersNoRetryAndSaysWhy()
    {
        await using var context = new PageContext();
        IdentityWaitHours(context, 0);
        var call = (await context.CallsAsync(Anonymous(SegmentToUserlist.AnonymousReason)))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Contains("identity stitching is off", page.Find("[data-testid=retry-futile]").TextContent));
        Assert.True(page.Find("button[data-testid=retry]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData(SegmentToUserlist.AnonymousReason)]
    [InlineData("No identify or alias named its anonymous id within 24 hours. " + SegmentToUserlist.AnonymousReason)]
    public async Task AnonymousCallTheRelayRefused_WithStitchingOn_CanBeRetriedToWaitAgain(string reason)
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Anonymous(reason)))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.False(page.Find("button[data-testid=retry]").HasAttribute("disabled")));
        Assert.Empty(page.FindAll("[data-testid=retry-futile]"));
    }

    /// <summary>Sets Delivery:IdentityWaitHours in configuration, as a restart with the new value would.</summary>
    private static void IdentityWaitHours(PageContext context, int hours)
    {
        var configuration = (IConfigurationRoot)context.Get<IConfiguration>();
        configuration["Delivery:IdentityWaitHours"] = $"{hours}";
        configuration.Reload();
        Assert.Equal(TimeSpan.Zero, context.Get<IdentityStitching>().Window);
    }

    private static Message Anonymous(string reason)
    {
        var call = Seed.Call("nobody", MessageStatus.Rejected, payload: AnonymousTrack, reason: reason);
        (call.UserId, call.AnonymousId) = (null, "anon-1");
        return call;
    }

    [Fact]
    public async Task Resend_OfADeliveredCall_NamesWhereItGoes_ThenQueuesItAndAudits()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered, payload: Track)))[0];
        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));
        page.Until(() => Assert.Empty(page.FindAll("button[data-testid=retry]")));

        page.ClickCurrent(() => page.Find("button[data-testid=resend]"));
        var dialogs = context.Dialogs!;
        var confirm = dialogs.WaitForElement("button:contains('Resend')", RenderedPage.Patience);
        Assert.Contains($"Send call #{call.Id} again to http://127.0.0.1:9/?", dialogs.Markup);
        confirm.Click();

        page.Until(() => Assert.Contains($"Resent by {PageContext.OperatorEmail}", page.Find("[data-testid=timeline]").TextContent));
        Assert.Contains("Now Pending", page.Find("[data-testid=timeline]").TextContent);
        Assert.Equal($"Resent call {call.Id} to http://127.0.0.1:9/", Assert.Single(await context.AuditAsync()).Detail);
    }

    [Fact]
    public async Task SkippedCall_ExplainsWhyNothingIsSent()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Skipped, type: "page", payload: """{"type":"page","userId":"u1","name":"Pricing"}""")))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Equal("Nothing: Skipped, Userlist does not take page calls", page.Find("[data-testid=mapped]").TextContent));
        Assert.Equal("No request has been made for this call.", page.Find("[data-testid=no-attempts]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=curl]"));
    }

    [Fact]
    public async Task CallSkippedAsUnchanged_LinksTheCallItRepeats()
    {
        await using var context = new PageContext();
        var identify = """{"type":"identify","userId":"u1","traits":{"plan":"pro"}}""";
        var first = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered, type: "identify", payload: identify)))[0];
        var repeat = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Skipped, type: "identify", payload: identify,
            reason: $"unchanged since call #{first.Id} delivered at 2026-12-01 10:00:00 UTC")))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, repeat.Id));

        page.Until(() => Assert.Equal($"unchanged since call #{first.Id} delivered at 2026-12-01 10:00:00 UTC", page.Find("[data-testid=reason]").TextContent.Trim()));
        var link = page.Find("a[data-testid=reason-call]");
        Assert.Equal($"/events/{first.Id}", link.GetAttribute("href"));
        Assert.Equal($"call #{first.Id}", link.TextContent);
    }

    [Fact]
    public async Task StitchedCall_SaysWhomItWentAs_LinksTheCallThatLinkedIt_AndShowsTheRequestAsSent()
    {
        await using var context = new PageContext();
        var identify = (await context.CallsAsync(Seed.Call("user-42", MessageStatus.Delivered, type: "identify",
            payload: """{"type":"identify","userId":"user-42","anonymousId":"anon-7"}""")))[0];
        var anonymous = Seed.Call("user-42", MessageStatus.Delivered, payload: """{"type":"track","anonymousId":"anon-7","event":"Viewed Pricing"}""");
        (anonymous.UserId, anonymous.AnonymousId, anonymous.LinkedUserId, anonymous.LinkedByMessageRowId) = (null, "anon-7", "user-42", identify.Id);
        var call = (await context.CallsAsync(anonymous))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Equal($"Delivered as user-42, linked by call #{identify.Id} (an identify or alias naming anonymous id anon-7)",
            Normalized(page.Find("[data-testid=linked]").TextContent)));
        Assert.Equal($"/events/{identify.Id}", page.Find("a[data-testid=linked-by]").GetAttribute("href"));
        Assert.Equal("/events?user=user-42", page.Find("a[data-testid=linked-user]").GetAttribute("href"));
        Assert.Equal("anonymous id anon-7", page.Find("[data-testid=anonymous-id]").TextContent);
        Assert.Contains("\"user\":\"user-42\"", page.Find("[data-testid=curl]").TextContent);
    }

    [Fact]
    public async Task WaitingCall_SaysWhatItWaitsFor()
    {
        await using var context = new PageContext();
        var anonymous = Seed.Call("unused", MessageStatus.Waiting, payload: """{"type":"track","anonymousId":"anon-8","event":"Viewed Pricing"}""",
            reason: "Waiting up to 24 hours for an identify or alias naming anonymous id anon-8, to send it as that user");
        (anonymous.UserId, anonymous.AnonymousId) = (null, "anon-8");
        var call = (await context.CallsAsync(anonymous))[0];

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Equal("Nothing yet: once an identify or alias names anonymous id anon-8, it goes to Userlist as that user.",
            page.Find("[data-testid=mapped]").TextContent));
        Assert.Contains("Waiting up to 24 hours", page.Find("[data-testid=reason]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=linked]"));
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task MergedCall_ListsTheCallsItWentWith_AsLinks()
    {
        await using var context = new PageContext();
        var identify = """{"type":"identify","userId":"u1","traits":{"plan":"pro"}}""";
        var calls = await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Delivered, type: "identify", payload: identify),
            Seed.Call("u1", MessageStatus.Delivered, type: "identify", payload: identify),
            Seed.Call("u1", MessageStatus.Delivered, type: "identify", payload: identify),
            Seed.Call("u2", MessageStatus.Delivered, type: "identify", payload: identify));
        foreach (var call in calls.Take(3))
        {
            await context.AttemptAsync(call.Id, 202, "Delivered", """{"status":"accepted"}""", requestId: "shared-request",
                path: "/users", requestBody: """{"identifier":"u1","properties":{"plan":"pro","seats":3}}""");
        }

        await context.AttemptAsync(calls[3].Id, 202, "Delivered", """{"status":"accepted"}""");

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, calls[1].Id));

        page.Until(() => Assert.Equal(2, page.FindAll("a[data-testid=sent-with-call]").Count));
        var links = page.FindAll("a[data-testid=sent-with-call]");
        Assert.Equal([$"/events/{calls[0].Id}", $"/events/{calls[2].Id}"], links.Select(a => a.GetAttribute("href")));
        Assert.Equal([$"call #{calls[0].Id}", $"call #{calls[2].Id}"], links.Select(a => a.TextContent));
        Assert.Contains("identify, now Delivered", page.Find("[data-testid=sent-with]").TextContent);
        Assert.Contains("Attempt 1: Delivered (202), merged with 2 other calls", page.Find("[data-testid=timeline]").TextContent);
        Assert.Contains("\"seats\": 3", page.Find("[data-testid=merged-request]").TextContent);
    }

    [Fact]
    public async Task CallSentAlone_ListsNoOtherCalls()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered, payload: Track)))[0];
        await context.AttemptAsync(call.Id, 202, "Delivered", """{"status":"accepted"}""");

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.Contains("Attempt 1: Delivered (202)", page.Find("[data-testid=timeline]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=sent-with]"));
        Assert.DoesNotContain("merged with", page.Find("[data-testid=timeline]").TextContent);
    }

    [Fact]
    public async Task Missing_SaysTheCallIsNotStored()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, 404));

        page.Until(() => Assert.Contains("No call 404 is stored", page.Find("[data-testid=not-found]").TextContent));
    }

    [Fact]
    public async Task Loading_ShowsProgressUntilTheDatabaseAnswers()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered, payload: Track)))[0];
        IRenderedComponent<EventDetail> page;
        using (new ExclusiveLock(context.DatabasePath))
        {
            page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));
            Assert.NotNull(page.Find("[data-testid=loading]"));
        }

        page.Until(() => Assert.Equal("POST /events", page.Find("[data-testid=mapped]").TextContent));
    }

    [Fact]
    public async Task DatabaseUnreadable_ShowsTheError()
    {
        await using var context = new PageContext(unreadableDatabase: true);
        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, 1));

        page.Until(() => Assert.Contains("Could not read call 1", page.Find("[data-testid=load-error]").TextContent));
    }

    [Fact]
    public async Task LongAndRightToLeftText_WrapsInItsPane_AndIsIsolatedFromTheTextAroundIt()
    {
        await using var context = new PageContext();
        const string Reversing = "evil\u202Eresu";
        var eventName = new string('E', 5_000);
        var error = "User must exist: " + new string('e', 3_000);
        var payload = $$"""{"type":"track","userId":"{{Reversing}}","event":"{{eventName}}","messageId":"m-rtl"}""";
        var call = (await context.CallsAsync(Seed.Call(Reversing, MessageStatus.Rejected, eventName: eventName, payload: payload, reason: error)))[0];
        await context.AttemptAsync(call.Id, 422, "Rejected", error);

        var page = context.RenderPage<EventDetail>(p => p.Add(x => x.Id, call.Id));

        page.Until(() => Assert.NotNull(page.Find("[data-testid=info-line]")));
        // Each pane breaks an unbroken run rather than widen the page (app.css: overflow-wrap: anywhere).
        foreach (var pane in new[] { "title", "reason", "info-line", "raw-call", "mapped-body", "curl" })
        {
            Assert.Contains("wrap-anywhere", page.Find($"[data-testid={pane}]").ClassList);
        }

        Assert.Contains("wrap-anywhere", page.Find("[data-testid=attempt-answer]").Closest("td")!.ClassList);
        // What the call and Userlist wrote sits in <bdi>: an override in it ends where it does.
        Assert.Equal(eventName, page.Find("[data-testid=title] bdi").TextContent);
        Assert.Equal(Reversing, page.Find("[data-testid=user] bdi").TextContent);
        Assert.Equal(error, page.Find("[data-testid=reason] bdi").TextContent);
        Assert.Equal(error, page.Find("bdi[data-testid=attempt-answer]").TextContent);
        var body = page.Find("bdi[data-testid=curl-body]");
        Assert.Contains("\"user\":\"evil", body.TextContent);
        Assert.EndsWith(body.TextContent + "'", page.Find("[data-testid=curl]").TextContent);
    }
}
