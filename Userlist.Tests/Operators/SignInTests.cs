using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
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
    public async Task ConfiguredAdmin_IsCreatedAtStart_AndSignsIn()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        var signedIn = await AccountForms.SignInAsync(client, Email, Password);

        Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains(Email, await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPasswordFiveTimes_LocksTheAccount_EvenTheRightPasswordIsThenRefused()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            var wrong = await AccountForms.SignInAsync(client, Email, "wrong password!");
            Assert.Contains("error=invalid", wrong.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        }

        var fifth = await AccountForms.SignInAsync(client, Email, "wrong password!");
        Assert.Contains("error=locked", fifth.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        Assert.Contains("locked for 15 minutes", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var right = await AccountForms.SignInAsync(client, Email, Password);
        Assert.Contains("error=locked", right.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
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
    public async Task SignOut_EndsTheSession()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        await AccountForms.SignInAsync(client, Email, Password);

        await AccountForms.PostAsync(client, "/", "/account/logout");

        Assert.Equal("/account/login", (await client.GetAsync("/")).RequestMessage!.RequestUri!.AbsolutePath);
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

    private static RelayFactory AdminRelay() => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
    };
}
