using Microsoft.Playwright;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class EventsBrowserTests
{
    [SkippableFact]
    public async Task RejectedCall_IsFoundByUserId_ExplainedInDetail_AndRetriedToDelivered()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        var refuse = true;
        await using var harness = await DeliveryHarness.StartAsync(
            u => u.Script = request => Task.FromResult(Volatile.Read(ref refuse) && request.Path == "/events"
                ? new FakeUserlist.Scripted(422, """{"status":422,"errors":["User must exist"]}""")
                : null),
            new() { ["Dashboard:AdminEmail"] = "ops@example.com", ["Dashboard:AdminPassword"] = "correct horse battery" },
            onRealPort: true);
        await harness.SendAsync("/v1/batch", """
            {"batch":[{"type":"identify","userId":"someone-else","messageId":"other"},
                      {"type":"track","userId":"ada","event":"Item Purchased","properties":{"plan":"pro"},"messageId":"refused"}]}
            """);
        await harness.UntilStatusAsync("refused", MessageStatus.Rejected);
        // Launched after the relay, so it closes first: an open circuit would hold up the relay's shutdown.
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync("/account/login?returnUrl=%2Fevents");
        await Infrastructure.Browser.SignInAsync(page, "ops@example.com", "correct horse battery");

        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await page.Locator("[data-testid=filter-user]").FillAsync("ada");
        await page.ClickAsync("[data-testid=apply-filter]");
        await Assertions.Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 calls match");
        await Assertions.Expect(page.GetByTestId("events")).Not.ToContainTextAsync("someone-else");
        await Infrastructure.Browser.ScreenshotAsync(page, "events.png");

        await page.GetByTestId("events").GetByRole(AriaRole.Link).First.ClickAsync();
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("reason")).ToContainTextAsync("User must exist");
        await Assertions.Expect(page.GetByTestId("mapped")).ToContainTextAsync("POST /events");
        await Assertions.Expect(page.GetByTestId("attempts")).ToContainTextAsync("422");
        await Infrastructure.Browser.ScreenshotAsync(page, "event-detail.png");

        Volatile.Write(ref refuse, false);
        await page.ClickAsync("[data-testid=retry]");
        await harness.UntilStatusAsync("refused", MessageStatus.Delivered);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("status").First).ToHaveTextAsync("Delivered");
        await Assertions.Expect(page.GetByTestId("attempts")).ToContainTextAsync("202");
    }
}
