using System.Security.Cryptography;
using Microsoft.Playwright;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

/// <summary>The first operator's rough edges in a real browser: forms that keep the email, the icon, where toasts go.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountPagesBrowserTests
{
    [SkippableFact]
    public async Task SetupAndSignIn_AfterAnError_KeepTheEmail_PagesHaveAnIcon_ToastsCoverNeitherAppBarNorButtons()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        await using var relay = new RelayFactory();
        relay.UseKestrel(0);
        relay.StartServer();
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = relay.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });

        await page.GotoAsync("/account/setup");
        await page.FillAsync("#email", "ops@example.com");
        await page.FillAsync("#password", "correct horse battery");
        await page.FillAsync("#confirm", "a different password");
        await page.ClickAsync("[data-testid=create-operator]");
        await Assertions.Expect(page.GetByTestId("account-error")).ToContainTextAsync("The two passwords differ");
        await Assertions.Expect(page.Locator("#email")).ToHaveValueAsync("ops@example.com");
        await Assertions.Expect(page.Locator("#password")).ToHaveValueAsync("");
        await page.FillAsync("#password", "correct horse battery");
        await page.FillAsync("#confirm", "correct horse battery");
        await page.ClickAsync("[data-testid=create-operator]");
        await Assertions.Expect(page.GetByTestId("count-Pending")).ToBeVisibleAsync();

        foreach (var (icon, type) in new[] { ("link[rel=icon][type='image/svg+xml']", "image/svg+xml"), ("link[rel=icon][sizes='32x32']", "image/x-icon") })
        {
            var href = await page.Locator(icon).GetAttributeAsync("href");
            var response = await page.APIRequest.GetAsync(href!);
            Assert.Equal((200, type), (response.Status, response.Headers["content-type"]));
        }

        // Browsers ask for /favicon.ico on pages that link no icon (Hangfire's dashboard).
        Assert.Equal(200, (await page.APIRequest.GetAsync("/favicon.ico")).Status);

        await page.ClickAsync("[data-testid=sign-out]");
        await Infrastructure.Browser.SignInAsync(page, "ops@example.com", "wrong password!");
        await Assertions.Expect(page.GetByTestId("account-error")).ToContainTextAsync("Wrong email or password");
        await Assertions.Expect(page.Locator("#email")).ToHaveValueAsync("ops@example.com");
        await Assertions.Expect(page.Locator("#password")).ToHaveValueAsync("");
        await page.FillAsync("#password", "correct horse battery");
        await page.ClickAsync("[data-testid=sign-in]");
        await Assertions.Expect(page.GetByTestId("count-Pending")).ToBeVisibleAsync();

        await page.ClickAsync("[data-testid=nav-operators]");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await page.Locator("[data-testid=new-email]").FillAsync("second@example.com");
        await page.Locator("[data-testid=new-password]").FillAsync("another long password");
        await page.ClickAsync("[data-testid=add-operator]");
        var toast = page.Locator(".mud-snackbar").Filter(new() { HasText = "second@example.com can now sign in" });
        await Assertions.Expect(toast).ToBeVisibleAsync();

        var toastBox = (await toast.BoundingBoxAsync())!;
        foreach (var covered in new[] { page.Locator(".mud-appbar"), page.GetByTestId("add-operator"), page.GetByTestId("change-password") })
        {
            var box = (await covered.BoundingBoxAsync())!;
            Assert.False(Overlap(toastBox, box), $"the toast at {Describe(toastBox)} covers {Describe(box)}");
        }
    }

    [SkippableFact]
    public async Task Screenshot_WithoutUpdateScreenshots_LeavesDocsAlone()
    {
        Skip.If(Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1", "UPDATE_SCREENSHOTS=1 asks for docs/ to be rewritten");
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("<p>not for the README</p>");
        var docs = Path.Combine(NodeClient.RepositoryRoot, "docs");
        var before = Directory.GetFiles(docs).ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

        await Infrastructure.Browser.ScreenshotAsync(page, "sign-in.png");

        var after = Directory.GetFiles(docs).ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
        Assert.Equal(before, after);
    }

    private static bool Overlap(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;

    private static string Describe(LocatorBoundingBoxResult box) => $"({box.X:0},{box.Y:0} {box.Width:0}×{box.Height:0})";
}
