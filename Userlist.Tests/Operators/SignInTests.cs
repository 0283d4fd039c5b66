using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Dashboard.Operators;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operators;

public sealed class SignInTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task FirstVisit_WithoutOperators_LeadsToSetup_WhichCreatesOneSignsInAndThenCloses()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

        var first = await client.GetAsync("/");
        Assert.Equal("/account/setup", first.RequestMessage!.RequestUri!.AbsolutePath);

        var created = await AccountForms.PostAsync(client, "/account/setup", "/account/setup", ("email", Email), ("password", Password), ("confirm", Password));
        Assert.Equal("/", created.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Overview", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Closed for good: a second visitor is sent to sign in, and a second setup post creates no one.
        using var stranger = relay.CreateClient();
        Assert.Equal("/account/login", (await stranger.GetAsync("/account/setup")).RequestMessage!.RequestUri!.AbsolutePath);
        await AccountForms.PostAsync(stranger, "/account/login", "/account/setup", ("email", "intruder@example.com"), ("password", Password), ("confirm", Password));
        var refused = await AccountForms.SignInAsync(stranger, "intruder@example.com", Password);
        Assert.Contains("error=invalid", refused.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_WithAnEmailPastItsMaximum_SaysSoAndCreatesNoOne()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true });
        var tooLong = new string('a', 250) + "@example.com";

        var refused = await AccountForms.PostAsync(client, "/account/setup", "/account/setup", ("email", tooLong), ("password", Password), ("confirm", Password));

        Assert.Equal("/account/setup", refused.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Email: Too long: at most 256 characters", AccountForms.ErrorText(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var created = await AccountForms.PostAsync(client, "/account/setup", "/account/setup", ("email", Email), ("password", Password), ("confirm", Password));
        Assert.Equal("/", created.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task ConfiguredAdmin_IsCreatedAtStart_AndSignsIn()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        var signedIn = await AccountForms.SignInAsync(client, Email, Password);

        Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains(Email, await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPasswordUnknownEmailAndLockedAccount_AnswerTheSame_AndTheLockHolds()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        var answers = new List<(string Query, string? Error)>();
        async Task SignInAsync(string email, string password)
        {
            var answer = await AccountForms.SignInAsync(client, email, password);
            answers.Add((answer.RequestMessage!.RequestUri!.Query.Replace(Uri.EscapeDataString(email), "EMAIL", StringComparison.Ordinal),
                AccountForms.ErrorText(await answer.Content.ReadAsStringAsync())));
        }

        await SignInAsync("nobody@example.com", "wrong password!");
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(Email, "wrong password!");
        }

        // Locked now: a wrong and even the right password get the same answer as an unknown email.
        await SignInAsync(Email, "wrong password!");
        await SignInAsync(Email, Password);

        Assert.Single(answers.Select(a => a.Query).Distinct());
        Assert.Contains("error=invalid", answers[0].Query, StringComparison.Ordinal);
        Assert.Single(answers.Select(a => a.Error).Distinct());
        Assert.NotNull(answers[0].Error);
        Assert.NotNull((await relay.Services.GetRequiredService<OperatorAccounts>().ListAsync(CancellationToken.None)).Single().LockedUntil);
        Assert.Equal("/account/login", (await client.GetAsync("/")).RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task WrongPasswordUnknownEmailAndLockedAccount_EachCheckOnePasswordHash()
    {
        var hasher = new CountingHasher();
        await using var relay = AdminRelay();
        await using var counted = relay.WithWebHostBuilder(host => host.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<IdentityUser>>(hasher)));
        using var client = counted.CreateClient();

        // Unknown, then five wrong passwords (the fifth locks), then the right one while locked.
        foreach (var (email, password) in ((string, string)[])[("nobody@example.com", Password), .. Enumerable.Repeat((Email, "wrong password!"), 5), (Email, Password)])
        {
            var before = hasher.Verified;
            await AccountForms.SignInAsync(client, email, password);
            Assert.Equal(before + 1, hasher.Verified);
        }
    }

    [Fact]
    public async Task SignInAttempts_PastTenAMinuteFromOneAddress_AreSentBackToTheFormToWait()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        for (var i = 0; i < SignInRateLimit.AttemptsPerMinute; i++)
        {
            var guess = await AccountForms.SignInAsync(client, $"guess{i}@example.com", Password);
            Assert.Contains("error=invalid", guess.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        }

        var refused = await AccountForms.SignInAsync(client, Email, Password);

        Assert.Contains("error=busy", refused.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        Assert.Contains("Too many sign-in attempts from this address: try again in a minute.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/account/login", (await client.GetAsync("/")).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Null((await relay.Services.GetRequiredService<OperatorAccounts>().ListAsync(CancellationToken.None)).Single().LockedUntil);
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    public async Task SignIn_WithAReturnUrlThatIsNotLocal_GoesToTheOverview(string returnUrl)
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await AccountForms.PostAsync(client, "/account/login", "/account/login",
            ("email", Email), ("password", Password), ("returnUrl", returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithALocalReturnUrl_GoesThere()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await AccountForms.PostAsync(client, "/account/login", "/account/login",
            ("email", Email), ("password", Password), ("returnUrl", "/events?status=Failed"));

        Assert.Equal("/events?status=Failed", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/hangfire")]
    [InlineData("/hangfire/jobs/enqueued")]
    [InlineData("/hangfire/recurring")]
    [InlineData("/events")]
    [InlineData("/events/1")]
    [InlineData("/sandbox")]
    [InlineData("/settings")]
    [InlineData("/operators")]
    public async Task Page_WithoutSignIn_RedirectsToSignIn(string path)
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HangfireDashboard_SignedIn_IsShownWithoutItsStoragePath()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        await AccountForms.SignInAsync(client, Email, Password);

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Userlist Relay jobs", html, StringComparison.Ordinal);
        Assert.DoesNotContain("hangfire.db", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_FromTheAppBar_EndsTheSession()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        await AccountForms.SignInAsync(client, Email, Password);

        // The app bar's Sign out form, with the token the page gave it.
        await AccountForms.PostAsync(client, "/", "/account/logout");

        Assert.Equal("/account/login", (await client.GetAsync("/")).RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task SignOut_EndsACookieSavedBefore_WithinTheCheckInterval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = AdminRelay(clock);
        var signedIn = await SignedInWithSavedCookieAsync(relay);
        using var browser = signedIn.Browser;
        using var copy = WithCookie(relay, signedIn.Cookies);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/events")).StatusCode);

        await AccountForms.PostAsync(browser, "/", "/account/logout");
        clock.Advance(OperatorSessions.CheckInterval + TimeSpan.FromSeconds(1));

        var afterwards = await copy.GetAsync("/events");
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.Equal("/account/login", afterwards.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task SignOutPost_WithoutAntiforgeryToken_IsRefusedAndTheSessionGoesOn()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await AccountForms.SignInAsync(client, Email, Password);

        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/events")).StatusCode);
    }

    [Fact]
    public async Task SignInPost_WithoutAntiforgeryToken_IsRefused()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent([new("email", Email), new("password", Password)]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    /// <summary>A browser signed in, and a copy of its cookies as someone could have saved them.</summary>
    internal static async Task<(HttpClient Browser, string Cookies)> SignedInWithSavedCookieAsync(RelayFactory relay)
    {
        var jar = new CookieContainer();
        var browser = relay.CreateDefaultClient(new RedirectHandler(), new CookieContainerHandler(jar));
        Assert.Equal("/", (await AccountForms.SignInAsync(browser, Email, Password)).RequestMessage!.RequestUri!.AbsolutePath);
        return (browser, jar.GetCookieHeader(browser.BaseAddress!));
    }

    /// <summary>A client that sends these cookies with every request and follows no redirect.</summary>
    internal static HttpClient WithCookie(RelayFactory relay, string cookies)
    {
        var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", cookies);
        return client;
    }

    /// <summary>Identity's own hasher, counting the hashes it checks.</summary>
    private sealed class CountingHasher : IPasswordHasher<IdentityUser>
    {
        private readonly PasswordHasher<IdentityUser> inner = new();
        private int verified;

        public int Verified => Volatile.Read(ref verified);

        public string HashPassword(IdentityUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(IdentityUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verified);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private static RelayFactory AdminRelay(TimeProvider? time = null) => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
        Time = time,
    };
}
