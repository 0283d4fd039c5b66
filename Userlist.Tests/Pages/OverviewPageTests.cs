using Bunit;
using Microsoft.Extensions.Hosting;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Pages.Home;

namespace Userlist.Tests.Pages;

public sealed class OverviewPageTests
{
    [Fact]
    public async Task Empty_SaysNoCallsYetAndWhereToStart()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Home>();

        page.Until(() => Assert.NotNull(page.Find("[data-testid=no-calls]")));
        Assert.Contains("Create a write key", page.Find("[data-testid=no-calls]").TextContent);
        Assert.Equal("0", page.Find("[data-testid=count-Pending] h5").TextContent);
        Assert.Contains("nothing is waiting", page.Find("[data-testid=queue]").TextContent);
        Assert.Equal("None, and no request was made to Userlist today (UTC).", page.Find("[data-testid=no-errors]").TextContent);
    }

    [Fact]
    public async Task Populated_ShowsCountsQueueRateAndLastErrors()
    {
        await using var context = new PageContext();
        var calls = await context.CallsAsync(
            Seed.Call("u1", MessageStatus.Delivered),
            Seed.Call("u2", MessageStatus.Pending, receivedAt: DateTime.UtcNow.AddMinutes(-12)),
            Seed.Call("u3", MessageStatus.Retrying),
            Seed.Call("u4", MessageStatus.Failed, reason: "Gave up after 8 attempts: Userlist answered 500"));
        await context.AttemptAsync(calls[0].Id, 202, "Delivered", "");
        await context.AttemptAsync(calls[3].Id, 500, "Transient", """{"error":"boom"}""");

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("1", page.Find("[data-testid=count-Failed] h5").TextContent));
        Assert.Equal("1", page.Find("[data-testid=count-Delivered] h5").TextContent);
        Assert.Contains("2 waiting", page.Find("[data-testid=queue]").TextContent);
        Assert.Contains("oldest received 12 min ago", page.Find("[data-testid=queue]").TextContent);
        Assert.Contains("2 / min", page.Find("[data-testid=rate]").TextContent);
        Assert.Contains("limit of 1,000", page.Find("[data-testid=rate]").TextContent);
        var errors = page.Find("[data-testid=last-errors]").TextContent;
        Assert.Contains("""{"error":"boom"}""", errors);
        Assert.DoesNotContain("Delivered", errors);
        Assert.Empty(page.FindAll("[data-testid=no-calls]"));
    }

    [Fact]
    public async Task CallsWaitingForAnIdentity_ShowsHowManyAndTheAgeOfTheOldest()
    {
        await using var context = new PageContext();
        await context.CallsAsync(
            Anonymous(DateTime.UtcNow.AddHours(-2)),
            Anonymous(DateTime.UtcNow.AddMinutes(-40)),
            Seed.Call("u1", MessageStatus.Pending, receivedAt: DateTime.UtcNow.AddHours(-5)),
            Anonymous(DateTime.UtcNow.AddMinutes(-1)));

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Contains("3 waiting for an identity", page.Find("[data-testid=identity-wait]").TextContent));
        Assert.Contains("oldest 2 h; each waits up to 24 h, then is Rejected", page.Find("[data-testid=identity-wait]").TextContent);
        Assert.Equal("3", page.Find("[data-testid=count-Waiting] h5").TextContent);
        Assert.Equal("/events?status=Waiting", page.Find("[data-testid=count-Waiting] a").GetAttribute("href"));
        // Waiting for an identity is not the delivery queue.
        Assert.Contains("1 waiting", page.Find("[data-testid=queue]").TextContent);
        Assert.Contains("oldest received 5 h ago", page.Find("[data-testid=queue]").TextContent);
    }

    [Fact]
    public async Task NothingWaitingForAnIdentity_SaysHowLongOneWouldWait_OrThatItIsRejectedAtOnce()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Home>();
        page.Until(() => Assert.Contains("0 waiting for an identity", page.Find("[data-testid=identity-wait]").TextContent));
        Assert.Contains("wait up to 24 h for an identify or alias", page.Find("[data-testid=identity-wait]").TextContent);

        await context.Get<Userlist.Core.Configuration.SettingsOverrides>().SaveAsync(
            new Dictionary<string, string?> { [Userlist.Core.Configuration.SettingKeys.IdentityWaitHours] = "0" }, PageContext.OperatorEmail, CancellationToken.None);
        page = context.Render<Home>();

        page.Until(() => Assert.Contains("Rejected at once (Delivery:IdentityWaitHours is 0)", page.Find("[data-testid=identity-wait]").TextContent));
    }

    [Fact]
    public async Task RequestsToday_CountsRequestsSentAndThoseSavedByMergingAndUnchangedSkips()
    {
        await using var context = new PageContext();
        var recorder = context.Get<DeliveryRecorder>();
        await ((IHostedService)recorder).StartAsync(CancellationToken.None);
        var calls = await context.CallsAsync([.. Enumerable.Range(0, 6).Select(i => Claimed($"u{i / 3}"))]);
        var now = DateTime.UtcNow;

        // u0's three identifies went as one request; u1's first alone, its second was unchanged, its third a page view.
        await Task.WhenAll(calls[..3].Select(call => recorder.RecordAsync(Delivered(call, now, requestId: "merged-1"))));
        await recorder.RecordAsync(Delivered(calls[3], now, requestId: null));
        await recorder.RecordAsync(new DeliveryOutcome(calls[4].Id, "run-1", null, MessageStatus.Skipped,
            $"unchanged since call #{calls[3].Id} delivered at {now:yyyy-MM-dd HH:mm:ss} UTC", null, false, now));
        await recorder.RecordAsync(new DeliveryOutcome(calls[5].Id, "run-1", null, MessageStatus.Skipped, "Userlist does not take page calls", null, false, now));

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Contains("2 sent, 3 saved", page.Find("[data-testid=requests-today]").TextContent));
        Assert.Contains("saved 2 by merging calls into one request", page.Find("[data-testid=requests-today]").TextContent);
        Assert.Contains("1 by skipping unchanged identify and group calls", page.Find("[data-testid=requests-today]").TextContent);
        Assert.Equal("None: all 2 requests made to Userlist today (UTC) were accepted.", page.Find("[data-testid=no-errors]").TextContent);
        await ((IHostedService)recorder).StopAsync(CancellationToken.None);
    }

    private static Message Anonymous(DateTime receivedAt)
    {
        var call = Seed.Call("", MessageStatus.Waiting, eventName: "Viewed Pricing", receivedAt: receivedAt);
        (call.UserId, call.AnonymousId) = (null, $"anon-{Guid.NewGuid():N}");
        return call;
    }

    private static Message Claimed(string userId)
    {
        var call = Seed.Call(userId, MessageStatus.Delivering, type: "identify");
        call.LeaseToken = "run-1";
        return call;
    }

    private static DeliveryOutcome Delivered(Message call, DateTime at, string? requestId) => new(call.Id, "run-1", new DeliveryAttempt
    {
        MessageRowId = call.Id,
        StartedAt = at,
        Method = "POST",
        Path = "/users",
        RequestBody = "{}",
        StatusCode = 202,
        Outcome = "Delivered",
        RequestId = requestId,
    }, MessageStatus.Delivered, null, null, true, at);

    [Fact]
    public async Task Paused_SaysWhoPausedDelivery()
    {
        await using var context = new PageContext();
        await context.Get<DeliverySettings>().PauseAsync(PageContext.OperatorEmail, CancellationToken.None);

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Paused", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Contains(PageContext.OperatorEmail, page.Markup);
    }

    [Fact]
    public async Task KeyRefused_DeliveryCardSaysPausedAsTheBannerDoes()
    {
        await using var context = new PageContext();
        var delivery = context.Get<DeliverySettings>();
        await delivery.SavePushKeyAsync("push-secret-key-7890", PageContext.OperatorEmail, CancellationToken.None);
        await delivery.MarkRefusedAsync("push-secret-key-7890", CancellationToken.None);

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Paused", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Equal("Userlist refused the Push API key", page.Find("[data-testid=delivery-why]").TextContent);
    }

    [Fact]
    public async Task NoPushKey_DeliveryCardSaysItWaitsForOne()
    {
        await using var context = new PageContext();

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Waiting", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Equal("no Push API key is set", page.Find("[data-testid=delivery-why]").TextContent);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(6, 2)]
    [InlineData(20, 5)]
    [InlineData(240, 50)]
    [InlineData(60000, 20000)]
    public void TickStep_GivesAtMostFiveRoundTicksUpToTheBusiestHour(int busiest, int step) =>
        Assert.Equal(step, Home.TickStep(busiest));

    [Fact]
    public async Task Loading_ShowsProgressUntilTheDatabaseAnswers()
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered));
        IRenderedComponent<Home> page;
        using (new ExclusiveLock(context.DatabasePath))
        {
            page = context.RenderPage<Home>();
            Assert.NotNull(page.Find("[data-testid=loading]"));
        }

        page.Until(() => Assert.Equal("1", page.Find("[data-testid=count-Delivered] h5").TextContent));
        Assert.Empty(page.FindAll("[data-testid=loading]"));
    }

    [Fact]
    public async Task DatabaseLocked_ShowsProgressThenTheError()
    {
        await using var context = new PageContext(lockWaitSeconds: 1);
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Delivered));
        using var held = new ExclusiveLock(context.DatabasePath);

        var page = context.RenderPage<Home>();

        Assert.NotNull(page.Find("[data-testid=loading]"));
        page.Until(() => Assert.Contains("database is locked", page.Find("[data-testid=load-error]").TextContent));
        Assert.Contains("Could not read the relay's database", page.Find("[data-testid=load-error]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=loading]"));
    }

    [Fact]
    public async Task DatabaseUnreadable_ShowsTheError()
    {
        await using var context = new PageContext(unreadableDatabase: true);
        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Contains("Could not read the relay's database", page.Find("[data-testid=load-error]").TextContent));
    }

    [Fact]
    public async Task OnSqlite_SaysNothingAboutWhichInstanceDispatches()
    {
        await using var context = new PageContext();
        // The one process on a SQLite database dispatches from its start.
        await ((IHostedService)context.Get<IDispatcherRole>()).StartAsync(CancellationToken.None);
        await context.Get<DeliverySettings>().SavePushKeyAsync("push-secret-key-7890", PageContext.OperatorEmail, CancellationToken.None);

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Running", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=dispatcher]"));
    }
}
