using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// Ends a removed operator's open dashboard pages: every <see cref="CheckInterval"/> a circuit's
/// operator must still exist with the security stamp they signed in with, or the page goes to
/// sign-in. The sign-in cookie is checked as often (<see cref="SecurityStampValidatorOptions"/>).
/// </summary>
public sealed class OperatorSessions(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    /// <summary>How long a removed operator's sign-in can outlive the removal.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    protected override TimeSpan RevalidationInterval => CheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.GetUserAsync(authenticationState.User);
        if (user is null)
        {
            return false;
        }

        var stamp = authenticationState.User.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
