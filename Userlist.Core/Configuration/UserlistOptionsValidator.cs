using Microsoft.Extensions.Options;

namespace Userlist.Core.Configuration;

/// <summary>
/// What data annotations can't say about <see cref="UserlistOptions"/>: <c>[Url]</c> lets ftp:// and
/// unparsable URLs through. An empty URL is left to <c>[Required]</c>'s message.
/// </summary>
internal sealed class UserlistOptionsValidator : IValidateOptions<UserlistOptions>
{
    public ValidateOptionsResult Validate(string? name, UserlistOptions options) =>
        options.PushApiUrl.Length > 0
        && (!Uri.TryCreate(options.PushApiUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            ? ValidateOptionsResult.Fail($"{UserlistOptions.SectionName}:PushApiUrl must be an absolute http(s) URL")
            : ValidateOptionsResult.Success;
}
