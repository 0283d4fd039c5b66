using System.Net;
using System.Text.RegularExpressions;
using Userlist.Dashboard.Operators;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>
/// The relay behind a TLS-terminating proxy on loopback, over real HTTP: what the proxy says
/// (https, the public host, the client's address) counts only when its address is listed.
/// </summary>
public sealed partial class TrustedProxyTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";
    private const string PublicHost = "relay.example.com";

    [Fact]
    public async Task SignIn_ThroughListedProxy_HttpsRedirectAndSecureCookie()
    {
        await using var relay = StartRelay(["127.0.0.1", "::1"]);
        using var browser = new ProxiedBrowser(relay.ServerAddress);

        var redirect = await browser.GetAsync("/");
        var signIn = await browser.SignInAsync();

        Assert.StartsWith($"https://{PublicHost}/account/login", redirect.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("userlist-relay=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignIn_HeadersFromUnlistedAddress_Ignored()
    {
        await using var relay = StartRelay(["10.9.9.9"]);
        using var browser = new ProxiedBrowser(relay.ServerAddress);

        var redirect = await browser.GetAsync("/");
        var signIn = await browser.SignInAsync();

        Assert.StartsWith($"http://{relay.ServerAddress.Authority}/account/login", redirect.Headers.Location?.ToString(), StringComparison.Ordinal);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("userlist-relay=", StringComparison.Ordinal));
        Assert.DoesNotContain("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task IngestWithoutKeyHeader_ThroughListedProxy_RateLimitedPerClientNotPerProxy()
    {
        await using var relay = StartRelay(["127.0.0.1", "::1"], new() { ["Ingest:RequestsPerSecondPerKey"] = "1" });
        using var http = new HttpClient { BaseAddress = relay.ServerAddress };

        // One busy client uses up its bucket...
        await Eventually.HoldsAsync(async () => (await SendAsync(http, "203.0.113.1")) == HttpStatusCode.TooManyRequests, "the busy client is refused");

        // ...and another client behind the same proxy is not refused with it.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, "203.0.113.2"));
    }

    [Fact]
    public async Task SignIn_ThroughListedProxy_RateLimitedPerClientNotPerProxy()
    {
        await using var relay = StartRelay(["127.0.0.1", "::1"]);
        using var guesser = new ProxiedBrowser(relay.ServerAddress, "203.0.113.1");
        using var operatorsBrowser = new ProxiedBrowser(relay.ServerAddress, "203.0.113.2");

        // One client uses up its sign-in attempts guessing...
        for (var i = 0; i < SignInRateLimit.AttemptsPerMinute; i++)
        {
            Assert.Contains("error=invalid", (await guesser.SignInAsync($"guess{i}@example.com")).Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("error=busy", (await guesser.SignInAsync()).Headers.Location?.ToString(), StringComparison.Ordinal);

        // ...and the operator behind the same proxy still signs in.
        Assert.Equal("/", (await operatorsBrowser.SignInAsync()).Headers.Location?.ToString());
    }

    private static RelayFactory StartRelay(string[] proxies, Dictionary<string, string?>? settings = null)
    {
        var relay = new RelayFactory { Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password } };
        for (var i = 0; i < proxies.Length; i++)
        {
            relay.Settings[$"ForwardedHeaders:KnownProxies:{i}"] = proxies[i];
        }

        foreach (var (key, value) in settings ?? [])
        {
            relay.Settings[key] = value;
        }

        relay.UseKestrel(0);
        relay.StartServer();
        return relay;
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, string clientAddress)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
        {
            Content = new StringContent($$"""{"writeKey":"{{RelayFactory.WriteKey}}","userId":"u","event":"E"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return (await http.SendAsync(request)).StatusCode;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"|type=\"hidden\" name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>
    /// A browser reaching the relay through an https proxy: every request carries the proxy's
    /// headers, and cookies are sent back by hand (the relay may mark them Secure, and this hop is http).
    /// </summary>
    private sealed class ProxiedBrowser(Uri relay, string clientAddress = "203.0.113.7") : IDisposable
    {
        private readonly HttpClient http = new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = relay };
        private readonly Dictionary<string, string> cookies = [];

        public async Task<HttpResponseMessage> GetAsync(string path) => await SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

        public async Task<HttpResponseMessage> SignInAsync(string email = Email)
        {
            var page = await (await GetAsync("/account/login")).Content.ReadAsStringAsync();
            var match = TokenPattern().Match(page);
            Assert.True(match.Success, "the sign-in page has no anti-forgery token");
            var token = WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
            return await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/login")
            {
                Content = new FormUrlEncodedContent([new("email", email), new("password", Password), new("returnUrl", "/"), new("__RequestVerificationToken", token)]),
            });
        }

        public void Dispose() => http.Dispose();

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", PublicHost);
            request.Headers.Add("X-Forwarded-For", clientAddress);
            if (cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await http.SendAsync(request);
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';', 2)[0].Split('=', 2);
                cookies[pair[0]] = pair[1];
            }

            return response;
        }
    }
}
