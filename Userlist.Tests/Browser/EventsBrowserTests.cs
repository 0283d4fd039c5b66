using Microsoft.Playwright;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

/// <summary>
/// An operator's day with the dashboard, in chromium against the relay on a real port: a write key
/// made in Settings, calls from the real Segment client, a refused call found, explained and
/// retried, a bulk retry by filter, and the sandbox.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EventsBrowserTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    [SkippableFact]
    public async Task SegmentClientCalls_AreFoundExplainedRetriedOneByOneAndInBulk()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        NodeClient.SkipUnlessInstalled();
        var refuse = true;
        await using var harness = await DeliveryHarness.StartAsync(
            u => u.Script = request => Task.FromResult(Volatile.Read(ref refuse) && request.Path == "/events"
                ? new FakeUserlist.Scripted(422, """{"status":422,"errors":["User must exist"]}""")
                : null),
            new() { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
            onRealPort: true);
        // Launched after the relay, so it closes first: an open circuit would hold up the relay's shutdown.
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var violations = Infrastructure.Browser.PolicyViolations(page);
        await page.GotoAsync("/account/login?returnUrl=%2Fsettings");
        await Infrastructure.Browser.SignInAsync(page, Email, Password);

        // A write key from the dashboard, used by the real Segment client.
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await page.GetByTestId("write-key-name").FillAsync("Web app");
        await page.ClickAsync("[data-testid=create-write-key]");
        var writeKey = await page.GetByTestId("write-key-value").TextContentAsync();
        await Assertions.Expect(page.GetByTestId("snippet")).ToContainTextAsync($"writeKey: '{writeKey}'");
        var sent = await NodeClient.SendAsync(harness.ServerAddress, writeKey!,
        [
            new { method = "identify", @params = new { userId = "someone-else", messageId = "other", traits = new { email = "else@example.com" } } },
            new { method = "track", @params = new { userId = "ada", @event = "Item Purchased", messageId = "refused", properties = new { plan = "pro" } } },
        ]);
        Assert.Equal(["other", "refused"], sent.Acknowledged.Order());
        await harness.UntilStatusAsync("refused", MessageStatus.Rejected);

        // Found by user id, explained, retried from its page and watched to Delivered.
        await page.GotoAsync("/events");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await page.GetByTestId("filter-user").FillAsync("ada");
        await page.ClickAsync("[data-testid=apply-filter]");
        await Assertions.Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 call matches");
        await Assertions.Expect(page.GetByTestId("events")).Not.ToContainTextAsync("someone-else");
        await Infrastructure.Browser.ScreenshotAsync(page, "events.png");

        await page.GetByTestId("event-link").First.ClickAsync();
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("reason")).ToContainTextAsync("User must exist");
        await Assertions.Expect(page.GetByTestId("mapped")).ToContainTextAsync("POST /events");
        await Assertions.Expect(page.GetByTestId("attempts")).ToContainTextAsync("422");
        await Assertions.Expect(page.GetByTestId("curl")).ToContainTextAsync("Authorization: Push ••••••••-123");
        await Infrastructure.Browser.ScreenshotAsync(page, "event-detail.png");

        Volatile.Write(ref refuse, false);
        await page.ClickAsync("[data-testid=retry]");
        await Assertions.Expect(page.GetByTestId("status").First).ToHaveTextAsync("Delivered");
        await Assertions.Expect(page.GetByTestId("attempts")).ToContainTextAsync("202");
        await Assertions.Expect(page.GetByTestId("timeline")).ToContainTextAsync($"Retried by {Email}");

        // Three more refusals, then one retry for everything Rejected.
        Volatile.Write(ref refuse, true);
        await NodeClient.SendAsync(harness.ServerAddress, writeKey!,
            Enumerable.Range(1, 3).Select(i => (object)new { method = "track", @params = new { userId = $"bulk-{i}", @event = "Seat Added", messageId = $"bulk-{i}" } }));
        foreach (var i in Enumerable.Range(1, 3))
        {
            await harness.UntilStatusAsync($"bulk-{i}", MessageStatus.Rejected);
        }

        Volatile.Write(ref refuse, false);
        await page.GotoAsync("/events?status=Rejected");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("match-count")).ToHaveTextAsync("3 calls match");
        await page.ClickAsync("[data-testid=retry-matching]");
        var confirm = page.GetByRole(AriaRole.Button, new() { Name = "Retry 3 calls" });
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Retry the 3 Failed, Rejected or Skipped calls matching status = Rejected?");
        await confirm.ClickAsync();
        foreach (var i in Enumerable.Range(1, 3))
        {
            await harness.UntilStatusAsync($"bulk-{i}", MessageStatus.Delivered);
        }

        await page.GotoAsync("/settings");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("audit-log")).ToContainTextAsync("Retried 3 calls where status = Rejected");
        await Assertions.Expect(page.GetByTestId("write-keys")).Not.ToContainTextAsync("never");
        await Infrastructure.Browser.ScreenshotAsync(page, "settings.png");

        await page.GotoAsync("/");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("count-Delivered")).ToContainTextAsync("5");
        await Assertions.Expect(page.GetByTestId("last-errors")).ToContainTextAsync("User must exist");
        await Infrastructure.Browser.ScreenshotAsync(page, "overview.png");
        Assert.Empty(violations);
    }

    [SkippableFact]
    public async Task Sandbox_DryRunsEachTemplate_AndSendsThroughTheQueue()
    {
        Infrastructure.Browser.SkipUnlessInstalled();
        await using var harness = await DeliveryHarness.StartAsync(
            settings: new() { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
            onRealPort: true);
        var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var violations = Infrastructure.Browser.PolicyViolations(page);
        await page.GotoAsync("/account/login?returnUrl=%2Fsandbox");
        await Infrastructure.Browser.SignInAsync(page, Email, Password);
        await Infrastructure.Browser.UntilInteractiveAsync(page);

        foreach (var (template, request) in new[] { ("identify", "POST /users"), ("track", "POST /events"), ("group", "POST /companies") })
        {
            await page.ClickAsync($"[data-testid=template-{template}]");
            await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync(request);
        }

        await page.ClickAsync("[data-testid=template-page]");
        await Assertions.Expect(page.GetByTestId("sandbox-outcome")).ToContainTextAsync("Userlist does not take page calls");

        await page.GetByTestId("sandbox-input").FillAsync("""{"type": "identify", "anonymousId": "a-1"}""");
        await Assertions.Expect(page.GetByTestId("sandbox-outcome")).ToContainTextAsync("identify needs a userId");
        Assert.Empty(await harness.Relay.MessagesAsync());

        await page.ClickAsync("[data-testid=template-identify]");
        await page.ClickAsync("[data-testid=sandbox-send]");
        await Assertions.Expect(page.GetByTestId("sandbox-answer")).ToContainTextAsync("Userlist answered 202");
        var stored = Assert.Single(await harness.Relay.MessagesAsync());
        Assert.Equal(("sandbox", MessageStatus.Delivered), (stored.SourceId, stored.Status));
        Assert.Contains("ada@example.com", Assert.Single(harness.Userlist.Requests).Body);
        await Infrastructure.Browser.ScreenshotAsync(page, "sandbox.png");
        Assert.Empty(violations);
    }
}
