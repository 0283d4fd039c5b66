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
        Assert.Contains("None", page.Find("[data-testid=no-errors]").TextContent);
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
    public async Task Paused_SaysWhoPausedDelivery()
    {
        await using var context = new PageContext();
        await context.Get<DeliverySettings>().PauseAsync(PageContext.OperatorEmail, CancellationToken.None);

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Paused", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Contains(PageContext.OperatorEmail, page.Markup);
    }

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

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("Running", page.Find("[data-testid=delivery-state]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=dispatcher]"));
    }
}
