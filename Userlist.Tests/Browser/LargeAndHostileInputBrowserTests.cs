using System.Text.Json;
using Microsoft.Playwright;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Browser;

/// <summary>
/// The dashboard in chromium with what a careless user or a hostile client gives it: a call as
/// large as ingest takes, a connection that drops, an event name and a Userlist error thousands of
/// characters long, a user id with a right-to-left override.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LargeAndHostileInputBrowserTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    /// <summary>Quotes as \", as a person would write them, not \u0022.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [SkippableFact]
    public async Task Sandbox_A30KbCallPastedAndSentAtOnce_IsStoredExactly_AndReopensAndKeepsWorking()
    {
        await using var session = await Session.StartAsync("/sandbox");
        var (harness, page) = (session.Harness, session.Page);
        var violations = Infrastructure.Browser.PolicyViolations(page);
        await page.ClickAsync("[data-testid=template-track]");
        await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync("POST /events");

        // Quotes and backslashes: JSON-escaped on its way to the relay, this call takes about 80 KB.
        var blob = string.Concat(Enumerable.Repeat("abcd\"\\", 3_800));
        var call = JsonSerializer.Serialize(new { type = "track", userId = "u-large", @event = "Large Export", properties = new { blob } }, Relaxed);
        Assert.InRange(call.Length, 30_000, 32_768);
        await page.GetByTestId("sandbox-input").FillAsync(call);
        await page.ClickAsync("[data-testid=sandbox-send]");

        await Assertions.Expect(page.GetByTestId("sandbox-result")).ToBeVisibleAsync();
        var stored = Assert.Single(await harness.Relay.MessagesAsync());
        using (var payload = JsonDocument.Parse(stored.Payload))
        {
            Assert.Equal(("track", "u-large", "Large Export"), (stored.Type, stored.UserId, stored.Event));
            Assert.Equal(blob, payload.RootElement.GetProperty("properties").GetProperty("blob").GetString());
        }

        // Opened again from its stored copy, the editor holds it and each keystroke still reaches the relay.
        await page.GotoAsync($"/sandbox?from={stored.Id}");
        await Infrastructure.Browser.UntilInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync("POST /events");
        await page.GetByTestId("sandbox-input").FocusAsync();
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("x");
        await Assertions.Expect(page.GetByTestId("sandbox-problem")).ToContainTextAsync("Not valid JSON");
        await page.Keyboard.PressAsync("Backspace");
        await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync("POST /events");
        Assert.Empty(violations);
    }

    [SkippableFact]
    public async Task Sandbox_TextTooLargeForTheConnection_IsReplacedByWhatTheRelayHas_WhichIsWhatSendSends()
    {
        await using var session = await Session.StartAsync("/sandbox");
        var (harness, page) = (session.Harness, session.Page);
        await page.ClickAsync("[data-testid=template-identify]");
        await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync("POST /users");

        // Three bytes a character: no call, and past what the connection carries, which drops and comes back.
        await page.GetByTestId("sandbox-input").FillAsync(new string('界', 32_000));

        await Assertions.Expect(page.GetByTestId("sandbox-connection-notice")).ToContainTextAsync(
            "the editor now shows the call the relay has, which is what Send sends", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("sandbox-input")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"identify\""));
        await page.ClickAsync("[data-testid=sandbox-send]");
        await Assertions.Expect(page.GetByTestId("sandbox-result")).ToBeVisibleAsync();
        Assert.Equal("identify", Assert.Single(await harness.Relay.MessagesAsync()).Type);
    }

    [SkippableFact]
    public async Task DroppedConnection_ShowsTheReconnectDialog_UntilTheRelayAnswersAgain()
    {
        // The circuit's WebSocket passes through the test, which can cut it.
        var sockets = new List<IWebSocketRoute>();
        await using var session = await Session.StartAsync("/sandbox", beforeSignIn: page => page.RouteWebSocketAsync(url => url.Contains("/_blazor", StringComparison.Ordinal), socket =>
        {
            lock (sockets)
            {
                sockets.Add(socket);
            }

            socket.ConnectToServer();
        }));
        var page = session.Page;
        var violations = Infrastructure.Browser.PolicyViolations(page);
        var dialog = page.GetByTestId("reconnect-modal");
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // Cut, and the relay unreachable for new connections: the page says so instead of looking alive.
        await page.RouteAsync("**/_blazor/negotiate**", route => route.AbortAsync());
        IWebSocketRoute circuit;
        lock (sockets)
        {
            circuit = sockets[^1];
        }

        await circuit.CloseAsync(new() { Code = 4000, Reason = "connection lost" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Connection to the relay lost");
        await Assertions.Expect(dialog).ToContainTextAsync("nothing you type or click on this page reaches the relay");

        // Reachable again: the dialog goes and the page answers.
        await page.UnrouteAsync("**/_blazor/negotiate**");
        await Assertions.Expect(dialog).ToBeHiddenAsync(new() { Timeout = 60_000 });
        await page.ClickAsync("[data-testid=template-identify]");
        await Assertions.Expect(page.GetByTestId("sandbox-request")).ToHaveTextAsync("POST /users");
        Assert.Empty(violations);
    }

    [SkippableFact]
    public async Task LongEventNameAndUserlistError_NeverWidenThePages()
    {
        var error = "User must exist: " + new string('e', 3_000);
        var eventName = new string('E', 5_000);
        await using var session = await Session.StartAsync("/events", script: u => u.Script = request => Task.FromResult(request.Path == "/events"
            ? new FakeUserlist.Scripted(422, JsonSerializer.Serialize(new { status = 422, errors = new[] { error } }))
            : null));
        var page = session.Page;
        await session.Harness.SendAsync("/v1/track", JsonSerializer.Serialize(new { userId = "evil\u202Eresu", @event = eventName, messageId = "long" }));
        await session.Harness.UntilStatusAsync("long", MessageStatus.Rejected);
        await page.ReloadAsync();
        await Infrastructure.Browser.UntilInteractiveAsync(page);

        await Assertions.Expect(page.GetByTestId("match-count")).ToHaveTextAsync("1 call matches");
        Assert.InRange(await WidestAsync(page), 0, 1280);
        await Assertions.Expect(page.GetByTestId("event-name")).ToHaveAttributeAsync("title", eventName);

        await page.GetByTestId("event-link").ClickAsync();
        await Assertions.Expect(page.GetByTestId("attempts")).ToContainTextAsync("User must exist");
        await Assertions.Expect(page.GetByTestId("curl")).ToContainTextAsync("curl -X POST");
        Assert.InRange(await WidestAsync(page), 0, 1280);
    }

    /// <summary>The page's width, or a table's where one scrolls inside its own box (as the grid does), in pixels.</summary>
    private static Task<double> WidestAsync(IPage page) => page.EvaluateAsync<double>(
        "Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('table, pre')].map(e => e.scrollWidth))");

    /// <summary>The relay on a real port and chromium signed in on one of its pages; the browser closes first, as an open circuit would hold up the relay's shutdown.</summary>
    private sealed class Session(DeliveryHarness harness, IPlaywright playwright, IBrowser browser, IPage page) : IAsyncDisposable
    {
        public DeliveryHarness Harness => harness;

        public IPage Page => page;

        public static async Task<Session> StartAsync(string path, Action<FakeUserlist>? script = null, Func<IPage, Task>? beforeSignIn = null)
        {
            Infrastructure.Browser.SkipUnlessInstalled();
            var harness = await DeliveryHarness.StartAsync(script, new() { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password }, onRealPort: true);
            var (playwright, browser) = await Infrastructure.Browser.LaunchAsync();
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = harness.ServerAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
            if (beforeSignIn is not null)
            {
                await beforeSignIn(page);
            }

            await page.GotoAsync($"/account/login?returnUrl={Uri.EscapeDataString(path)}");
            await Infrastructure.Browser.SignInAsync(page, Email, Password);
            await Infrastructure.Browser.UntilInteractiveAsync(page);
            return new Session(harness, playwright, browser, page);
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            await harness.DisposeAsync();
        }
    }
}
