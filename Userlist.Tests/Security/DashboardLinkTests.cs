using System.Net;
using System.Text.RegularExpressions;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Operators;

namespace Userlist.Tests.Security;

/// <summary>Crafted links into the dashboard, and the page shell every page loads, over plain HTTP.</summary>
public sealed partial class DashboardLinkTests
{
    private const string Email = "ops@example.com";
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData("/sandbox?from=abc", "The link&#x27;s from= is not a call number")]
    [InlineData("/sandbox?from=99999999999999999999", "The link&#x27;s from= is not a call number")]
    [InlineData("/sandbox?from=%3Cscript%3E", "The link&#x27;s from= is not a call number")]
    [InlineData("/events?status=%3Cscript%3E", "Not filtered by the link&#x27;s status=")]
    public async Task CraftedLink_OnAFullLoad_AnswersThePageWithAMessage(string link, string message)
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();
        await AccountForms.SignInAsync(client, Email, Password);

        var response = await client.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPage_CarriesTheReconnectDialogAndTheErrorBar_WithTheirScriptAndStylesFromTheRelay()
    {
        await using var relay = AdminRelay();
        using var client = relay.CreateClient();

        var html = await client.GetStringAsync("/account/login");

        Assert.Contains("<dialog id=\"components-reconnect-modal\"", html, StringComparison.Ordinal);
        Assert.Contains("<div id=\"blazor-error-ui\"", html, StringComparison.Ordinal);
        var script = ScriptSource().Match(html);
        var styles = StylesLink().Match(html);
        Assert.True(script.Success && styles.Success, "the page links connection-ui.js and app.css");
        // Files of the relay's own, as the content security policy wants: no inline script.
        Assert.Contains("components-reconnect-state-changed", await client.GetStringAsync(script.Groups[1].Value));
        Assert.Contains("#blazor-error-ui", await client.GetStringAsync(styles.Groups[1].Value));
        Assert.DoesNotMatch("<script>[^<]", html);
    }

    private static RelayFactory AdminRelay() => new()
    {
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
    };

    [GeneratedRegex("<script type=\"module\" src=\"([^\"]*connection-ui[^\"]*\\.js)\"")]
    private static partial Regex ScriptSource();

    [GeneratedRegex("<link href=\"([^\"]*app[^\"]*\\.css)\" rel=\"stylesheet\"")]
    private static partial Regex StylesLink();
}
