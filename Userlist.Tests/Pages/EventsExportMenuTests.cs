using Bunit;
using MudBlazor;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Pages.Events;

namespace Userlist.Tests.Pages;

public sealed class EventsExportMenuTests
{
    [Fact]
    public async Task ExportMenu_OffersBothFormats_AsDownloadsOfTheFilterOnScreen()
    {
        await using var context = new PageContext();
        await context.CallsAsync(Seed.Call("u1", MessageStatus.Failed), Seed.Call("u2", MessageStatus.Delivered));
        var popovers = context.Render<MudPopoverProvider>();
        context.Render<MudDialogProvider>();
        var page = context.Render<Events>();
        page.Until(() => Assert.Equal(2, page.FindAll("[data-testid=user-link]").Count));

        page.ChangeCurrent("input[data-testid=filter-user]", "u1 & co");
        page.ClickCurrent(() => page.Find("button[data-testid=apply-filter]"));
        page.ClickCurrent(() => page.Find("button[data-testid=export], [data-testid=export] button"));

        popovers.Until(() =>
        {
            var links = popovers.FindAll("a[download]").Select(a => a.GetAttribute("href")).ToList();
            Assert.Equal(["/events/export?format=csv&user=u1%20%26%20co", "/events/export?format=ndjson&user=u1%20%26%20co"], links);
        });
    }
}
