using Bunit;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;

namespace Userlist.Tests.Pages;

/// <summary>The banner above every page, on an instance that has run no delivery pass of its own.</summary>
public sealed class DeliveryBannerTests
{
    [Fact]
    public async Task PausedElsewhere_OnAnInstanceThatDoesNotDispatch_SaysDeliveryIsPaused()
    {
        await using var context = new PageContext();
        // As an operator's pause on the dispatching instance leaves it in the shared database.
        await using (var db = await context.Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            db.Settings.Add(new RelaySetting { Name = SettingKeys.DeliveryPaused, Value = "ops@example.com at 2026-12-01 01:00 UTC", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var banner = context.Render<DeliveryBanner>();

        banner.WaitForAssertion(() => Assert.Contains("Delivery is paused by an operator", banner.Find("[data-testid=delivery-banner]").TextContent, StringComparison.Ordinal),
            RenderedPage.Patience);
    }
}
