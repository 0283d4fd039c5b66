using Microsoft.Extensions.Options;

namespace Userlist.Core.Configuration;

/// <summary>
/// What data annotations can't say about <see cref="UserlistOptions"/>: <c>[Url]</c> lets ftp:// and
/// unparsable URLs through, and URLs carrying a user name and password. An empty URL is left to
/// <c>[Required]</c>'s message. The one rule for a Push API URL, at start and on the Settings page.
/// </summary>
internal sealed class UserlistOptionsValidator : IValidateOptions<UserlistOptions>
{
    private const string Key = $"{UserlistOptions.SectionName}:PushApiUrl";

    public ValidateOptionsResult Validate(string? name, UserlistOptions options) =>
        PushApiUrlProblem(options.PushApiUrl) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    /// <summary>
    /// Why a Push API URL can't be used, or null. Requests are made relative to it, so a query or
    /// fragment would be dropped, and user info would be a secret written wherever the URL is shown
    /// (pages, the audit log): both are refused, and the message never repeats the URL.
    /// </summary>
    internal static string? PushApiUrlProblem(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return $"{Key} must be an absolute http(s) URL";
        }

        if (url.UserInfo.Length > 0)
        {
            return $"{Key} must not contain a user name or password: Userlist authenticates with the Push API key alone";
        }

        return url.Query.Length > 0 || url.Fragment.Length > 0
            ? $"{Key} must not have a query or a fragment: requests are made to paths under it"
            : null;
    }
}
