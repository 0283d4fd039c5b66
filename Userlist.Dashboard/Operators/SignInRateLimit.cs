using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// At most <see cref="AttemptsPerMinute"/> sign-in posts a minute from one client address (as the
/// trusted proxy reports it), so no one can guess passwords quickly, or lock one operator after
/// another out, from one address. Past it, the browser is sent back to the sign-in form, which
/// says to wait.
/// </summary>
public sealed class SignInRateLimit : IRateLimiterPolicy<string>
{
    public const string Policy = "sign-in-per-address";

    public const int AttemptsPerMinute = 10;

    /// <summary>The sign-in form's <c>error</c> for an attempt refused by this limit.</summary>
    public const string Error = "busy";

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
    {
        context.HttpContext.Response.Redirect($"{OperatorsSetup.LoginPath}?error={Error}");
        return ValueTask.CompletedTask;
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetFixedWindowLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = AttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
