using Microsoft.AspNetCore.Components.Authorization;

namespace Userlist.Dashboard.Components.Shared;

public static class SignedInOperator
{
    /// <summary>Who is signed in, as the audit log records them (every dashboard page requires an operator).</summary>
    public static async Task<string> NameAsync(this Task<AuthenticationState> authentication) =>
        (await authentication).User.Identity?.Name ?? "unknown operator";
}
