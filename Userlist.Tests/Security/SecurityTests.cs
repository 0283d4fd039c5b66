using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Segment;
using Userlist.Core.Storage;
using Userlist.Dashboard.Operations;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;
using Userlist.Tests.Operators;

namespace Userlist.Tests.Security;

public sealed class SecurityTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";
    private const string PushKey = "push-secret-0123456789-wxyz";

    [Fact]
    public async Task BlazorCircuit_WithoutSignIn_IsRefused()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null);

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized, $"answered {response.StatusCode}");
    }

    [Fact]
    public async Task BenchmarkProbes_AreNotThereUnlessAskedFor()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // Not mapped, so they fall to the sign-in like any unknown dashboard path.
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/bench/queries")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/bench/search-backlog")).StatusCode);
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/account/setup")]
    [InlineData("/v1/identify")]
    public async Task Responses_CarryTheSecurityHeaders(string path)
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        var response = await client.GetAsync(path);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task IngestPaths_AnyMethodButPost_Is405InSegmentsShapeNeverARedirect()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var path in (string[])["/v1/track", "/v1/batch", "/v1/unknown", "/segment/webhook"])
        {
            foreach (var method in (string[])["OPTIONS", "PROPFIND", "BREW", "GET", "PUT"])
            {
                var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

                Assert.Null(response.Headers.Location);
                Assert.Contains("POST", response.Content.Headers.Allow);
                await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            }
        }
    }

    [Fact]
    public async Task IngestPath_CorsPreflight_IsAnsweredForBrowsers()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/batch");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.com", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestPastTheRateForOneWriteKey_Answers429WithRetryAfter_OtherKeysUnaffected()
    {
        await using var relay = new RelayFactory { Settings = { ["Ingest:RequestsPerSecondPerKey"] = "3", ["Ingest:WriteKeys:1"] = "other-key" } };
        using var client = relay.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await client.SendAsync(relay.Post("/v1/identify", $$"""{"userId":"u{{i}}"}""")));
        }

        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After"))) >= 1);
        Assert.Contains("\"code\":\"rate_limited\"", await limited.Content.ReadAsStringAsync());
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.OK), 3, 5);
        await (await client.SendAsync(relay.Post("/v1/identify", """{"userId":"other"}""", "other-key"))).AssertSuccessAsync();
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.OK) + 1, (await relay.MessagesAsync()).Count);
    }

    [Fact]
    public async Task BrokenOrSlowBodies_AreAnswered_AndLoggedInOneLineAMinuteWithoutAStackTrace()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = new RelayFactory { Time = clock };
        relay.UseKestrel(0);
        relay.StartServer();

        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("HTTP/1.1 400", await SendAsync(relay.ServerAddress, "Transfer-Encoding: chunked\r\n\r\nnot a chunk size\r\n"), StringComparison.Ordinal);
        }

        clock.Advance(ClientErrors.Interval);
        // Half a body, then nothing: Kestrel gives up after its grace period (5 s) below 240 bytes a second.
        Assert.StartsWith("HTTP/1.1 408", await SendAsync(relay.ServerAddress, "Content-Length: 1000\r\n\r\n{\"userId\":"), StringComparison.Ordinal);

        var logged = relay.Logs.Lines.Where(line => line.Contains("Client error", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, logged.Count);
        Assert.StartsWith("Warning", logged[0], StringComparison.Ordinal);
        Assert.Contains("Client error 400 on POST /v1/track", logged[0], StringComparison.Ordinal);
        Assert.Contains("Client error 408 on POST /v1/track", logged[1], StringComparison.Ordinal);
        Assert.Contains("2 more since the last such line", logged[1], StringComparison.Ordinal);
        // Kestrel's own Debug lines keep their exception; the default levels never show them.
        Assert.DoesNotContain(relay.Logs.Lines, line => !line.StartsWith("Debug", StringComparison.Ordinal) && !line.StartsWith("Trace", StringComparison.Ordinal)
            && (line.Contains("Exception", StringComparison.Ordinal) || line.Contains("   at ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SavedPushKey_IsEncryptedAtRest()
    {
        await using var relay = AdminRelay();
        await relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(PushKey, Email, CancellationToken.None);

        Assert.Equal(PushKey, (await relay.Services.GetRequiredService<DeliverySettings>().SendingKeyAsync(CancellationToken.None)).PushKey);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(relay.DatabasePath)!, "relay.db*"))
        {
            Assert.DoesNotContain(PushKey, Encoding.UTF8.GetString(await ReadSharedAsync(file)));
        }
    }

    [Fact]
    public async Task Secrets_NeverAppearInLogsPagesOrAttempts()
    {
        const string WriteKey = "wk-secret-abcdef-123456";
        await using var harness = await DeliveryHarness.StartAsync(
            u => u.Script = request => Task.FromResult(request.Path == "/events" ? new FakeUserlist.Scripted(401) : null),
            new() { ["Ingest:WriteKeys:1"] = WriteKey, ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
            pushKey: PushKey);
        using var client = harness.Relay.CreateClient();
        await (await client.SendAsync(harness.Relay.Post("/v1/identify", """{"userId":"u","messageId":"ok"}""", WriteKey))).AssertSuccessAsync();
        await harness.UntilStatusAsync("ok", MessageStatus.Delivered);
        await (await client.SendAsync(harness.Relay.Post("/v1/track", """{"userId":"u","event":"E","messageId":"refused"}""", WriteKey))).AssertSuccessAsync();
        await Eventually.HoldsAsync(async () => (await harness.AttemptsAsync("refused")).Count > 0, "the refused attempt is recorded");
        await (await client.SendAsync(harness.Relay.Post("/v1/identify", """{"userId":"x"}""", "wk-wrong-key-999"))).Content.ReadAsStringAsync();

        await AccountForms.SignInAsync(client, Email, Password);
        var pages = new StringBuilder();
        foreach (var path in (string[])["/", "/events", "/settings", $"/events/{(await harness.MessageAsync("refused")).Id}", "/hangfire"])
        {
            pages.Append(await client.GetStringAsync(path));
        }

        await using var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        var stored = string.Join(" ", (await db.DeliveryAttempts.ToListAsync()).Select(a => $"{a.RequestBody} {a.ResponseBody} {a.Error}"))
            + string.Join(" ", await db.Messages.Select(m => m.Payload).ToListAsync())
            + string.Join(" ", await db.AuditLog.Select(a => a.Detail).ToListAsync());
        foreach (var secret in (string[])[PushKey, WriteKey, "wk-wrong-key-999"])
        {
            Assert.DoesNotContain(harness.Relay.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, pages.ToString());
            Assert.DoesNotContain(secret, stored);
        }

        Assert.Contains(harness.Relay.Logs.Lines, line => line.Contains("refused the Push API key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://user:pa55word@push.example.com", "Userlist:PushApiUrl must not contain a user name or password")]
    [InlineData("https://pa55word@push.example.com/", "Userlist:PushApiUrl must not contain a user name or password")]
    [InlineData("https://push.example.com/?api_key=pa55word", "Userlist:PushApiUrl must not have a query or a fragment")]
    public async Task PushApiUrl_WithSecretLookingParts_IsRefusedOnSaveAndAtStart_AndNeverRecorded(string url, string reason)
    {
        await using (var relay = AdminRelay())
        {
            var problems = await relay.Services.GetRequiredService<SettingsOverrides>()
                .SaveAsync(new Dictionary<string, string?> { [SettingKeys.PushApiUrl] = url }, Email, CancellationToken.None);

            Assert.Contains(problems, p => p.Contains(reason, StringComparison.Ordinal));
            Assert.DoesNotContain(problems, p => p.Contains("pa55word", StringComparison.Ordinal));
            Assert.Empty(await relay.Services.GetRequiredService<AuditLog>().NewestAsync(10, CancellationToken.None));
            Assert.Equal("https://push.userlist.com", relay.Services.GetRequiredService<IOptionsMonitor<UserlistOptions>>().CurrentValue.PushApiUrl);
            Assert.DoesNotContain(relay.Logs.Lines, line => line.Contains("pa55word", StringComparison.Ordinal));
        }

        await using var configured = new RelayFactory { Settings = { ["Userlist:PushApiUrl"] = url } };
        var refused = Assert.ThrowsAny<Exception>(() => configured.CreateClient());
        Assert.Contains(reason, refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushApiUrl_SavedWithCredentialsBeforeTheRule_IsPassedOverAndTheRelayStarts()
    {
        using var folder = new TemporaryFolder();
        await using (var before = new RelayFactory(folder))
        {
            await before.Services.GetRequiredService<ISettingsStore>()
                .SaveAsync(new Dictionary<string, string?> { [SettingKeys.PushApiUrl] = "http://user:pa55word@push.example.com" }, DateTime.UtcNow, CancellationToken.None);
        }

        await using var relay = new RelayFactory(folder);
        using var client = relay.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal("https://push.userlist.com", relay.Services.GetRequiredService<IOptionsMonitor<UserlistOptions>>().CurrentValue.PushApiUrl);
        Assert.Contains(relay.Logs.Lines, line => line.Contains("The Push API URL saved on the Settings page is not used", StringComparison.Ordinal));
        Assert.DoesNotContain(relay.Logs.Lines, line => line.Contains("pa55word", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostilePayloadStrings_AreShownAsText()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """
            {"userId":"<img src=x onerror=alert(1)>","event":"<script>alert('xss')</script>",
             "properties":{"url":"javascript:alert(document.cookie)"},"messageId":"hostile"}
            """))).AssertSuccessAsync();
        var id = Assert.Single(await relay.MessagesAsync()).Id;
        await AccountForms.SignInAsync(client, Email, Password);

        var html = await client.GetStringAsync($"/events/{id}") + await client.GetStringAsync("/events");

        Assert.DoesNotContain("<script>alert", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(", html, StringComparison.Ordinal);
    }

    /// <summary>A POST to /v1/track with these headers and body over a plain socket; what the relay answered before it closed.</summary>
    private static async Task<string> SendAsync(Uri relay, string headersAndBody)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(relay.Host, relay.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/track HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n{headersAndBody}"));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static RelayFactory AdminRelay() => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
    };

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
