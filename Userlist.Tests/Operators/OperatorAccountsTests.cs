using Microsoft.Extensions.DependencyInjection;
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

    private static RelayFactory AdminRelay() => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
    };
}
