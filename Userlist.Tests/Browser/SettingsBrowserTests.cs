using Microsoft.Playwright;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SettingsBrowserTests
{
    private const string PushKey = "ul_push_secret_value_9f3a";

    [SkippableFact]
    public async Task WithoutAKey_BannerSaysSo_ThenSettingTheKeyMasksItTestsItAndDeliversTheWaitingCall()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(
            settings: new() { ["Dashboard:AdminEmail"] = "ops@example.com", ["Dashboard:AdminPassword"] = "correct horse battery" },
            pushKey: null, onRealPort: true);
        await harness.SendAsync("/v1/identify", """{"userId":"u-waiting","messageId":"waiting"}""");
        // Launched after the relay, so it closes first: an open circuit would hold up the relay's shutdown.
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });

        await page.GotoAsync("/account/login");
        await Infrastructure.Browser.SignInAsync(page, "ops@example.com", "correct horse battery");
        await Assertions.Expect(page.GetByTestId("delivery-banner")).ToContainTextAsync("No Push API key is set");

        await page.ClickAsync("[data-testid=nav-settings]");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("key-hint")).ToContainTextAsync("No key is set");
        await page.Locator("[data-testid=new-key]").FillAsync(PushKey);
        await page.ClickAsync("[data-testid=test-connection]");
        await Assertions.Expect(page.GetByTestId("connection-result")).ToContainTextAsync("Valid key");
        await page.ClickAsync("[data-testid=save-key]");
        await Assertions.Expect(page.GetByTestId("key-hint")).ToContainTextAsync("••••••••9f3a");
        await Assertions.Expect(page.GetByTestId("delivery-banner")).ToBeHiddenAsync();
        await Infrastructure.Browser.ScreenshotAsync(page, "settings.png");

        Assert.DoesNotContain(PushKey, await page.ContentAsync(), StringComparison.Ordinal);
        await harness.UntilStatusAsync("waiting", MessageStatus.Delivered);
        Assert.Contains(harness.Userlist.Requests, r => r.Authorization == "Push " + PushKey && r.Path == "/users" && r.Body.Contains("u-waiting", StringComparison.Ordinal));
    }
}
