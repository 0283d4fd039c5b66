using System.Globalization;
using Microsoft.Playwright;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;

namespace Userlist.Tests.Browser;

/// <summary>
/// After a loss on Userlist's side, in chromium against the relay on a real port: one user's
/// delivered calls found by a filter, exported, sent again and seen in the audit log; then the
/// overview's chart of the day.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OperatorToolsBrowserTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    [SkippableFact]
    public async Task DeliveredCalls_FilteredExportedResentAndAudited_ThenTheOverviewChartFitsItsCard()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(
            settings: new() { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
            onRealPort: true);
        foreach (var (user, id) in new[] { ("ada", "ada-1"), ("ada", "ada-2"), ("ada", "ada-3"), ("bob", "bob-1") })
        {
            await harness.SendAsync("/v1/track", $$"""{"userId":"{{user}}","event":"Report Exported","messageId":"{{id}}"}""");
        }

        foreach (var id in new[] { "ada-1", "ada-2", "ada-3", "bob-1" })
        {
            await harness.UntilStatusAsync(id, MessageStatus.Delivered);
        }

        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var violations = Infrastructure.Browser.PolicyViolations(page);
        await page.GotoAsync("/account/login?returnUrl=%2Fevents");
        await Infrastructure.Browser.SignInAsync(page, Email, Password);
        await Infrastructure.Browser.UntilInteractiveAsync(page);

        await page.GetByTestId("filter-user").FillAsync("ada");
        await page.ClickAsync("[data-testid=apply-filter]");
        await Assertions.Expect(page.GetByTestId("match-count")).ToHaveTextAsync("3 calls match");

        // The export is the filter's calls, downloaded as a file.
        await page.ClickAsync("[data-testid=export]");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export-csv]"));
        var lines = await File.ReadAllLinesAsync(await download.PathAsync());
        Assert.Equal(Userlist.Dashboard.Export.CallsCsv.Header.TrimEnd(), lines[0]);
        Assert.Equal(["ada", "ada", "ada"], lines.Skip(1).Select(line => line.Split(',')[3]));

        // Sent again, each on its own request, after a confirmation naming where they go.
        await page.ClickAsync("[data-testid=resend-matching]");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync(
            $"Resend the 3 Delivered calls matching user id = \u2068ada\u2069 to {harness.Userlist.Url}?");
        await Infrastructure.Browser.ScreenshotAsync(page, "resend.png");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resend 3 calls" }).ClickAsync();
        foreach (var id in new[] { "ada-1", "ada-2", "ada-3" })
        {
            await Infrastructure.Eventually.HoldsAsync(async () => (await harness.AttemptsAsync(id)).Count(a => a.StatusCode == 202) == 2, $"{id} delivered twice");
        }

        Assert.Equal(7, harness.Userlist.Requests.Count(r => r.Path == "/events"));
        Assert.Single(await harness.AttemptsAsync("bob-1"));

        await page.GotoAsync("/settings");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("audit-log")).ToContainTextAsync("Exported 3 calls as CSV: user id = \u2068ada\u2069");
        await Assertions.Expect(page.GetByTestId("audit-log")).ToContainTextAsync($"Resent 3 Delivered calls where user id = \u2068ada\u2069 to {harness.Userlist.Url}");

        // The day's chart spans its card, on an axis made for four calls, not for twenty.
        await page.GotoAsync("/");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        // The hours' axis, not the svg element: a chart keeping its drawing's proportions draws in a third of a 100%-wide svg.
        var hours = page.Locator("[data-testid=activity-chart] .mud-charts-xaxis").First;
        await Assertions.Expect(page.Locator("[data-testid=activity-chart] .mud-charts-xaxis text").First).ToBeVisibleAsync();
        var card = await page.GetByTestId("activity-card").BoundingBoxAsync();
        await Infrastructure.Eventually.HoldsAsync(async () => (await hours.BoundingBoxAsync())!.Width >= 0.8 * card!.Width, "the chart spans its card");
        var ticks = (await page.Locator("[data-testid=activity-chart] .mud-charts-yaxis text").AllTextContentsAsync())
            .Select(tick => int.Parse(tick, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(ticks.Max(), 4, 10);
        Assert.Empty(violations);
    }
}
