using Microsoft.Playwright;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

/// <summary>The dashboard in a real browser, against the relay on a real port.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FirstVisitBrowserTests
{
    [SkippableFact]
    public async Task FirstVisit_SetUpTheFirstOperator_ThenSignOutAndBackIn_SeesTheOverview()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        await using var relay = new RelayFactory();
        relay.UseKestrel(0);
        relay.StartServer();
        // Launched after the relay, so it closes first: an open circuit would hold up the relay's shutdown.
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = relay.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });

        var violations = Infrastructure.Browser.PolicyViolations(page);
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/setup$"));
        await Infrastructure.Browser.ScreenshotAsync(page, "setup.png");
        await page.FillAsync("#email", "ops@example.com");
        await page.FillAsync("#password", "correct horse battery");
        await page.FillAsync("#confirm", "correct horse battery");
        await page.ClickAsync("[data-testid=create-operator]");

        await Assertions.Expect(page.GetByTestId("count-Pending")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("ops@example.com")).ToBeVisibleAsync();

        await page.ClickAsync("[data-testid=sign-out]");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login$"));
        await Infrastructure.Browser.SignInAsync(page, "ops@example.com", "wrong password!");
        await Assertions.Expect(page.GetByTestId("account-error")).ToContainTextAsync("Wrong email or password");
        await Infrastructure.Browser.ScreenshotAsync(page, "sign-in.png");

        await Infrastructure.Browser.SignInAsync(page, "ops@example.com", "correct horse battery");
        await Assertions.Expect(page.GetByTestId("count-Pending")).ToBeVisibleAsync();

        await page.ClickAsync("[data-testid=nav-operators]");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await page.Locator("[data-testid=new-email]").FillAsync("second@example.com");
        await page.Locator("[data-testid=new-password]").FillAsync("another long password");
        await page.ClickAsync("[data-testid=add-operator]");
        await Assertions.Expect(page.GetByTestId("operators")).ToContainTextAsync("second@example.com");
        await Infrastructure.Browser.ScreenshotAsync(page, "operators.png");

        await page.ClickAsync("[data-testid=nav-hangfire]");
        await Assertions.Expect(page.GetByText("Userlist Relay jobs").First).ToBeVisibleAsync();
        Assert.Empty(violations);
    }
}
