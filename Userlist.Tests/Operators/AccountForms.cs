using System.Net;
using System.Text.RegularExpressions;

namespace Userlist.Tests.Operators;

/// <summary>Fills the sign-in pages' forms as a browser does: fetch the page for its anti-forgery token, then post.</summary>
internal static partial class AccountForms
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"|type=\"hidden\" name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, params (string Name, string Value)[] fields)
    {
        var html = await client.GetStringAsync(page);
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, $"{page} has no anti-forgery token");
        var token = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).Append(new("__RequestVerificationToken", WebUtility.HtmlDecode(token)));
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>The text of the sign-in pages' error alert, or null when the page shows none.</summary>
    public static string? ErrorText(string html)
    {
        var start = html.IndexOf("data-testid=\"account-error\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var alert = html[start..html.IndexOf("<form", start, StringComparison.Ordinal)];
        return WebUtility.HtmlDecode(TagPattern().Replace(alert[(alert.IndexOf('>') + 1)..], "")).Trim();
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        PostAsync(client, "/account/login", "/account/login", ("email", email), ("password", password), ("returnUrl", "/"));
}
