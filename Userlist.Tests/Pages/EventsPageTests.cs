using Microsoft.AspNetCore.Components;
using System.Text.Json;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Segment;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Pages.Events;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Pages;

public sealed class EventsPageTests
{
    [Fact]
    public async Task Empty_SaysNoCallsMatch()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Events>();

        page.Until(() => Assert.Equal("No calls match.", page.Find("[data-testid=no-events]").TextContent));
        Assert.Equal("0 calls match", page.Find("[data-testid=match-count]").TextContent);
    }

    [Fact]
    public async Task Populated_ListsNewestFirstAndFiltersByUser()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Delivered, receivedAt: DateTime.UtcNow.AddMinutes(-3)),
            Seed.Call("u2", MessageStatus.Failed, receivedAt: DateTime.UtcNow.AddMinutes(-2)),
            Seed.Call("u1", MessageStatus.Pending, receivedAt: DateTime.UtcNow.AddMinutes(-1)));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal(["u1", "u2", "u1"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Equal("3 calls match", page.Find("[data-testid=match-count]").TextContent);

        page.ChangeCurrent("input[data-testid=filter-user]", "u1");
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));

        page.Until(() => Assert.Equal(["u1", "u1"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Equal("2 calls match", page.Find("[data-testid=match-count]").TextContent);
    }

    [Fact]
    public async Task StatusWaitingFromTheOverviewLink_ListsOnlyCallsWaitingForAnIdentity_WithTheirOwnChip()
    {
        await using var context = new PageContext();
        var waiting = Seed.Call("", MessageStatus.Waiting, eventName: "Viewed Pricing");
        (waiting.UserId, waiting.AnonymousId) = (null, "anon-1");
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Pending), waiting, Seed.Call("u2", MessageStatus.Delivered));
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/events?status=Waiting");

        var page = context.RenderPage<Events>();

        page.Until(() => Assert.Equal(["Waiting"], page.FindAll("[data-testid=status]").Select(chip => chip.TextContent)));
        Assert.Equal("1 call matches", page.Find("[data-testid=match-count]").TextContent);
        var chip = page.Find("[data-testid=status]");
        Assert.Contains("mud-chip-color-secondary", chip.ClassList);
        Assert.Equal("Waiting", page.Find("[data-testid=filter-status]").TextContent);
    }

    [Fact]
    public async Task UserIdLink_FiltersTheLogToThatUser()
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered), Seed.Call("u2", MessageStatus.Delivered));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal(2, page.FindAll("[data-testid=user-link]").Count));

        page.ClickCurrent(() => page.FindAll("[data-testid=user-link]").First(link => link.TextContent == "u2"));

        page.Until(() => Assert.Equal(["u2"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Equal("1 call matches", page.Find("[data-testid=match-count]").TextContent);
        Assert.Equal("u2", page.Find("input[data-testid=filter-user]").GetAttribute("value"));
    }

    [Fact]
    public async Task FreeText_FindsCallsByAWordInThePayload()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Delivered, payload: """{"type":"identify","userId":"u1","traits":{"email":"ada@lovelace.example"}}"""),
            Seed.Call("u2", MessageStatus.Delivered, payload: """{"type":"identify","userId":"u2","traits":{"email":"grace@hopper.example"}}"""));
        await using (var connection = new SqliteConnection($"Data Source={context.DatabasePath};Pooling=False"))
        {
            connection.Open();
            Assert.Equal(2, Userlist.Core.Storage.Sqlite.SearchIndexer.IndexChunk(connection));
        }

        var page = context.RenderPage<Events>();
        page.ChangeCurrent("input[data-testid=filter-text]", "ada@lovel");
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));

        page.Until(() => Assert.Equal(["u1"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Equal("1 call matches", page.Find("[data-testid=match-count]").TextContent);
    }

    [Fact]
    public async Task TimeRange_ShowsOnlyCallsReceivedInIt()
    {
        await using var context = new PageContext();
        var start = new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
        await context.CallsAsync([.. Enumerable.Range(0, 48).Select(hour => Seed.Call($"u{hour}", MessageStatus.Delivered, receivedAt: start.AddHours(hour)))]);
        var page = context.RenderPage<Events>();

        page.ChangeCurrent("input[data-testid=filter-from]", "2026-11-21T08:00");
        page.ChangeCurrent("input[data-testid=filter-to]", "2026-11-21T11:00");
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));

        page.Until(() => Assert.Equal(["u26", "u25", "u24"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Equal("3 calls match", page.Find("[data-testid=match-count]").TextContent);
    }

    [Fact]
    public async Task RetryAllMatching_ConfirmsTheCountThenRetriesAndAudits()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Failed, reason: "Gave up"),
            Seed.Call("u2", MessageStatus.Failed, reason: "Gave up"),
            Seed.Call("u3", MessageStatus.Delivered),
            Seed.Call("u4", MessageStatus.Rejected, reason: "User must exist"));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal("4 calls match", page.Find("[data-testid=match-count]").TextContent));

        page.ClickCurrent(() => page.Find("button[data-testid=retry-matching]"));

        var dialogs = context.Dialogs!;
        var confirm = dialogs.WaitForElement("button:contains('Retry 3 calls')", RenderedPage.Patience);
        Assert.Contains("Retry all 3 Failed, Rejected or Skipped calls? They go back to the queue", dialogs.Markup);
        confirm.Click();

        // The retry runs off the circuit; its audit entry is written last.
        await Eventually.HoldsAsync(async () => (await context.AuditAsync()).Count > 0, "the retry is in the audit log");
        var audit = Assert.Single(await context.AuditAsync());
        Assert.Equal((PageContext.OperatorEmail, "Retried 3 calls where all calls"), (audit.Operator, audit.Detail));
        Assert.Equal(3, (await context.MessagesAsync()).Count(m => m.Status == MessageStatus.Pending));
        Assert.Equal(MessageStatus.Delivered, (await context.MessagesAsync()).Single(m => m.UserId == "u3").Status);
    }

    [Fact]
    public async Task RetryAllMatching_WithAFilter_AsksAboutTheCallsMatchingIt()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Failed, reason: "Gave up"),
            Seed.Call("u1", MessageStatus.Rejected, reason: "User must exist"),
            Seed.Call("u2", MessageStatus.Failed, reason: "Gave up"));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal("3 calls match", page.Find("[data-testid=match-count]").TextContent));
        page.ChangeCurrent("input[data-testid=filter-user]", "u1");
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));
        page.Until(() => Assert.Equal("2 calls match", page.Find("[data-testid=match-count]").TextContent));

        page.ClickCurrent(() => page.Find("button[data-testid=retry-matching]"));

        var dialogs = context.Dialogs!;
        dialogs.WaitForElement("button:contains('Retry 2 calls')", RenderedPage.Patience);
        Assert.Contains("Retry the 2 Failed, Rejected or Skipped calls matching user id = \u2068u1\u2069? They go back to the queue", dialogs.Markup);
    }

    [Theory]
    [InlineData(SendAgain.Retry, 1, null, "Retry the 1 Failed, Rejected or Skipped call? It goes back to the queue and is mapped and sent again.")]
    [InlineData(SendAgain.Retry, 12, "u1", "Retry the 12 Failed, Rejected or Skipped calls matching user id = \u2068u1\u2069? They go back to the queue and are mapped and sent again.")]
    [InlineData(SendAgain.Resend, 5, null, "Resend all 5 Delivered calls to http://userlist.test/? They are mapped anew")]
    [InlineData(SendAgain.Resend, 1, "u1", "Resend the 1 Delivered call matching user id = \u2068u1\u2069 to http://userlist.test/? It is mapped anew")]
    public void SendAgainQuestion_NamesTheCountAndTheFilter(SendAgain kind, int count, string? user, string expected) =>
        Assert.StartsWith(expected, Events.SendAgainQuestion(kind, count, new MessageFilter(UserId: user), "http://userlist.test/"));

    [Fact]
    public async Task ResendDelivered_ConfirmsTheCountAndWhereTheyGo_ThenResendsAndAudits()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Delivered),
            Seed.Call("u1", MessageStatus.Delivered),
            Seed.Call("u1", MessageStatus.Failed, reason: "Gave up"),
            Seed.Call("u2", MessageStatus.Delivered));
        context.Get<NavigationManager>().NavigateTo("/events?user=u1");
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal("3 calls match", page.Find("[data-testid=match-count]").TextContent));

        page.ClickCurrent(() => page.Find("button[data-testid=resend-matching]"));

        var dialogs = context.Dialogs!;
        var confirm = dialogs.WaitForElement("button:contains('Resend 2 calls')", RenderedPage.Patience);
        Assert.Contains("Resend the 2 Delivered calls matching user id = \u2068u1\u2069 to http://127.0.0.1:9/?", dialogs.Markup);
        confirm.Click();

        await Eventually.HoldsAsync(async () => (await context.AuditAsync()).Count > 0, "the resend is in the audit log");
        var audit = Assert.Single(await context.AuditAsync());
        Assert.Equal(("Resend", "Resent 2 Delivered calls where user id = \u2068u1\u2069 to http://127.0.0.1:9/"), (audit.Action, audit.Detail));
        var calls = await context.MessagesAsync();
        Assert.Equal(2, calls.Count(m => m is { UserId: "u1", Status: MessageStatus.Pending, RetriedManually: true }));
        Assert.Equal(MessageStatus.Failed, calls.Single(m => m.StatusReason == "Gave up").Status);
        Assert.Equal(MessageStatus.Delivered, calls.Single(m => m.UserId == "u2").Status);
    }

    [Fact]
    public async Task RetrySelected_RetriesTheTickedCallsOnly()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Seed.Call("older", MessageStatus.Failed, receivedAt: DateTime.UtcNow.AddMinutes(-2)),
            Seed.Call("newer", MessageStatus.Failed, receivedAt: DateTime.UtcNow.AddMinutes(-1)));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal(["newer", "older"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));

        page.ChangeCurrent("tbody tr:first-child input[type=checkbox]", true);
        page.Until(() => Assert.Equal("Retry selected (1)", page.Find("button[data-testid=retry-selected]").TextContent.Trim()));
        page.ClickCurrent(() => page.Find("button[data-testid=retry-selected]"));

        await Eventually.HoldsAsync(async () => (await context.AuditAsync()).Count > 0, "the retry is in the audit log");
        Assert.Equal("Retried 1 of 1 selected calls", Assert.Single(await context.AuditAsync()).Detail);
        Assert.Equal(MessageStatus.Pending, (await context.MessagesAsync()).Single(m => m.UserId == "newer").Status);
        Assert.Equal(MessageStatus.Failed, (await context.MessagesAsync()).Single(m => m.UserId == "older").Status);
    }

    [Fact]
    public async Task RetryAllMatching_CancelledDialog_ChangesNothing()
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Failed, reason: "Gave up"));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal("1 call matches", page.Find("[data-testid=match-count]").TextContent));

        page.ClickCurrent(() => page.Find("button[data-testid=retry-matching]"));
        var dialogs = context.Dialogs!;
        dialogs.WaitForElement("button:contains('Cancel')", RenderedPage.Patience).Click();

        dialogs.Until(() => Assert.DoesNotContain("Retry 1 call", dialogs.Markup));
        Assert.Equal(MessageStatus.Failed, (await context.MessagesAsync()).Single().Status);
        Assert.Empty(await context.AuditAsync());
    }

    [Fact]
    public async Task Live_ShowsNewCallsAsTheyAreStored()
    {
        await using var context = new PageContext();
        var writer = context.Get<MessageWriter>();
        await writer.StartAsync(CancellationToken.None);
        try
        {
            await context.CallsAsync(Seed.Call("earlier", MessageStatus.Delivered));
            var page = context.RenderPage<Events>();
            page.Until(() => Assert.Equal(["earlier"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));

            page.ChangeCurrent("input[data-testid=live]", true);
            await writer.WriteAsync("config-test", DateTime.UtcNow, [Normalized("""{"type":"track","userId":"arrived","event":"Signed Up"}""")]);

            page.Until(() => Assert.Equal(["arrived", "earlier"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task DatabaseLocked_ShowsTheError_AndTheCallsOnceItIsFree()
    {
        await using var context = new PageContext(lockWaitSeconds: 1);
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered));
        IRenderedComponent<Events> page;
        using (new ExclusiveLock(context.DatabasePath))
        {
            page = context.RenderPage<Events>();

            page.Until(() => Assert.Contains("database is locked", page.Find("[data-testid=load-error]").TextContent));
            Assert.Contains("Could not read the log", page.Find("[data-testid=load-error]").TextContent);
            Assert.Empty(page.FindAll("[data-testid=user-link]"));
        }

        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));

        page.Until(() => Assert.Equal(["u1"], page.FindAll("[data-testid=user-link]").Select(link => link.TextContent)));
        Assert.Empty(page.FindAll("[data-testid=load-error]"));
    }

    [Fact]
    public async Task DatabaseUnreadable_ShowsTheError()
    {
        await using var context = new PageContext(unreadableDatabase: true);
        var page = context.RenderPage<Events>();

        page.Until(() => Assert.Contains("Could not read the log", page.Find("[data-testid=load-error]").TextContent));
    }

    [Theory]
    [InlineData("status=Bogus", "Not filtered by the link's status=: it is none of Pending, Delivering, Retrying, Delivered, Rejected, Skipped, Failed, Invalid, Waiting.")]
    [InlineData("status=3", "Not filtered by the link's status=")]
    [InlineData("user=LONG", "Not filtered by the link's user=: Too long: at most 1,000 characters.")]
    [InlineData("group=LONG", "Not filtered by the link's group=: Too long: at most 1,000 characters.")]
    public async Task BadLink_SaysWhatItDidNotFilterBy_AndListsEverything(string query, string message)
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered), Seed.Call("u2", MessageStatus.Failed));
        context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/events?{query.Replace("LONG", new string('x', 1_001))}");

        var page = context.RenderPage<Events>();

        page.Until(() => Assert.Equal("2 calls match", page.Find("[data-testid=match-count]").TextContent));
        Assert.StartsWith(message, page.Find("[data-testid=filter-problem]").TextContent);
    }

    [Theory]
    [InlineData("filter-text")]
    [InlineData("filter-user")]
    [InlineData("filter-event")]
    public async Task FilterPastItsMaximum_SaysSoAndIsNotApplied(string field)
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered), Seed.Call("u2", MessageStatus.Failed));
        var page = context.RenderPage<Events>();
        page.Until(() => Assert.Equal("2 calls match", page.Find("[data-testid=match-count]").TextContent));
        Assert.Equal("1001", page.Find($"input[data-testid={field}]").GetAttribute("maxlength"));

        page.ChangeCurrent($"input[data-testid={field}]", new string('x', 20_000));
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));

        page.Until(() => Assert.Contains("Too long: at most 1,000 characters", page.Find("[data-testid=filter-problem]").TextContent));
        Assert.StartsWith("Not filtered: ", page.Find("[data-testid=filter-problem]").TextContent);
        Assert.Contains("Too long: at most 1,000 characters", page.Find($"input[data-testid={field}]").Closest(".mud-input-control")!.TextContent);
        Assert.Equal("2 calls match", page.Find("[data-testid=match-count]").TextContent);
    }

    [Fact]
    public async Task LongAndRightToLeftValues_AreCutToOneLineWithTheWholeValueOnHover_AndIsolated()
    {
        await using var context = new PageContext();
        var eventName = new string('E', 5_000);
        const string Reversing = "evil\u202Eresu";
        await context.CallsAsync(Seed.Call(Reversing, MessageStatus.Rejected, eventName: eventName, reason: "Rejected by Userlist: " + new string('r', 3_000)));
        var page = context.RenderPage<Events>();

        page.Until(() => Assert.Single(page.FindAll("[data-testid=user-link]")));
        var name = page.Find("[data-testid=event-name]");
        Assert.Equal(("BDI", eventName, eventName), (name.TagName, name.TextContent, name.GetAttribute("title")));
        Assert.Contains("cell-text", name.ClassList);
        var user = page.Find("[data-testid=user-link] bdi");
        Assert.Equal((Reversing, Reversing), (user.TextContent, user.GetAttribute("title")));
        Assert.Contains("cell-text", page.Find("[data-testid=status-reason]").ClassList);
    }

    private static IncomingCall Normalized(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new SegmentCallNormalizer(SegmentCallTypes.Tracking, () => Guid.NewGuid().ToString())
            .Normalize(document.RootElement, CallDefaults.None, null, DateTimeOffset.UtcNow);
    }
}
