using Microsoft.Playwright;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright, headless. Tests that need it are skipped with
/// instructions when it is missing, except under CI=true, where that is a failure. Playwright's
/// own browser download is never used.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static void SkipUnlessInstalled() => Prerequisite.SkipOrFailIfMissing(
        File.Exists(ChromiumPath) ? null : "chromium is not installed (apt-get update && apt-get install -y chromium)",
        "a browser");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        SkipUnlessInstalled();

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // As root, with no network but the package registries: no sandbox, no background traffic.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        return (playwright, browser);
    }

    /// <summary>Fills and sends the sign-in form of the page it is on.</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=sign-in]");
    }

    /// <summary>The page's Content-Security-Policy violations from now on, as chromium reports them in the console.</summary>
    public static List<string> PolicyViolations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        return violations;
    }

    /// <summary>Waits until the page's circuit is live (the dashboard's InteractiveMarker).</summary>
    public static Task UntilInteractiveAsync(IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>
    /// Saves a screenshot: for the README under docs/ when UPDATE_SCREENSHOTS=1, otherwise in the
    /// temp folder, so that a test run leaves the checkout as it found it.
    /// </summary>
    public static Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(NodeClient.RepositoryRoot, "docs")
            : Path.Combine(Path.GetTempPath(), "userlist-screenshots");
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }
}
