using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Storage;
using Userlist.Dashboard.Operators;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operators;

public sealed class OperatorAccountsTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task AddedOperator_CanSignIn_AndIsListed()
    {
        await using var relay = AdminRelay();
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();

        Assert.Empty(await accounts.AddAsync("second@example.com", "another long password"));

        Assert.Equal(["ops@example.com", "second@example.com"], (await accounts.ListAsync(CancellationToken.None)).Select(o => o.Email));
        using var client = relay.CreateClient();
        var signedIn = await AccountForms.SignInAsync(client, "second@example.com", "another long password");
        Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task AddOperator_WithAShortPasswordOrATakenEmail_SaysWhy()
    {
        await using var relay = AdminRelay();
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();

        Assert.Contains(await accounts.AddAsync("short@example.com", "short"), e => e.Contains("at least 10", StringComparison.Ordinal));
        Assert.Contains(await accounts.AddAsync(Email, "another long password"), e => e.Contains("already taken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangedPassword_SignsIn_TheOldOneNoLonger()
    {
        await using var relay = AdminRelay();
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();

        Assert.NotEmpty(await accounts.ChangePasswordAsync(Email, "not my password", "a brand new password"));
        Assert.Empty(await accounts.ChangePasswordAsync(Email, Password, "a brand new password"));

        using var client = relay.CreateClient();
        Assert.Contains("error=invalid", (await AccountForms.SignInAsync(client, Email, Password)).RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        Assert.Equal("/", (await AccountForms.SignInAsync(client, Email, "a brand new password")).RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task ChangedPassword_EndsACookieSavedBefore_WithinTheCheckInterval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = AdminRelay(clock);
        var signedIn = await SignInTests.SignedInWithSavedCookieAsync(relay);
        using var browser = signedIn.Browser;
        using var copy = SignInTests.WithCookie(relay, signedIn.Cookies);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await copy.GetAsync("/events")).StatusCode);

        Assert.Empty(await relay.Services.GetRequiredService<OperatorAccounts>().ChangePasswordAsync(Email, Password, "a brand new password"));
        clock.Advance(OperatorSessions.CheckInterval + TimeSpan.FromSeconds(1));

        var afterwards = await copy.GetAsync("/events");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.Equal("/account/login", afterwards.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Remove_Yourself_OrTheLastOperator_IsRefused()
    {
        await using var relay = AdminRelay();
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();

        Assert.Contains(await accounts.RemoveAsync(Email, Email, CancellationToken.None), e => e.Contains("can't remove yourself", StringComparison.Ordinal));
        // Asked by an operator removed meanwhile (their page still open): the only one left stays.
        Assert.Contains(await accounts.RemoveAsync(Email, "gone@example.com", CancellationToken.None), e => e.Contains("last operator", StringComparison.Ordinal));

        Assert.Equal([Email], (await accounts.ListAsync(CancellationToken.None)).Select(o => o.Email));
        Assert.Empty(await relay.Services.GetRequiredService<AuditLog>().NewestAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task RemovedOperator_IsSignedOutWithinTheCheckInterval_AndCannotSignInAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = AdminRelay(clock);
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();
        Assert.Empty(await accounts.AddAsync("second@example.com", "another long password"));
        using var second = relay.CreateClient();
        Assert.Equal("/", (await AccountForms.SignInAsync(second, "second@example.com", "another long password")).RequestMessage!.RequestUri!.AbsolutePath);

        Assert.Empty(await accounts.RemoveAsync("second@example.com", Email, CancellationToken.None));
        clock.Advance(OperatorSessions.CheckInterval + TimeSpan.FromSeconds(1));

        Assert.Equal("/account/login", (await second.GetAsync("/events")).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("error=invalid", (await AccountForms.SignInAsync(second, "second@example.com", "another long password")).RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
        var audit = Assert.Single(await relay.Services.GetRequiredService<AuditLog>().NewestAsync(10, CancellationToken.None));
        Assert.Equal((Email, "Removed operator second@example.com"), (audit.Operator, audit.Detail));
        // An open page (a circuit) checks its operator as often.
        await using var circuit = relay.Services.CreateAsyncScope();
        Assert.IsType<OperatorSessions>(circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
    }

    [Fact]
    public async Task Unlock_LockedOperator_SignsInAtOnce_AndIsAudited()
    {
        await using var relay = AdminRelay();
        var accounts = relay.Services.GetRequiredService<OperatorAccounts>();
        Assert.Empty(await accounts.AddAsync("second@example.com", "another long password"));
        using var client = relay.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await AccountForms.SignInAsync(client, "second@example.com", "wrong password!");
        }

        Assert.NotNull((await accounts.ListAsync(CancellationToken.None)).Single(o => o.Email == "second@example.com").LockedUntil);
        Assert.Contains(await accounts.UnlockAsync(Email, Email, CancellationToken.None), e => e.Contains("not locked", StringComparison.Ordinal));

        Assert.Empty(await accounts.UnlockAsync("second@example.com", Email, CancellationToken.None));

        Assert.Null((await accounts.ListAsync(CancellationToken.None)).Single(o => o.Email == "second@example.com").LockedUntil);
        Assert.Equal("/", (await AccountForms.SignInAsync(client, "second@example.com", "another long password")).RequestMessage!.RequestUri!.AbsolutePath);
        var audit = Assert.Single(await relay.Services.GetRequiredService<AuditLog>().NewestAsync(10, CancellationToken.None));
        Assert.Equal((Email, "Unlocked operator second@example.com"), (audit.Operator, audit.Detail));
    }

    private static RelayFactory AdminRelay(TimeProvider? time = null) => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
        Time = time,
    };
}
