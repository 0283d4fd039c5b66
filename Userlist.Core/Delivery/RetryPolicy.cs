using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Delivery;

/// <summary>
/// When to try a call again after a transient failure: exponential from the initial delay,
/// doubling, capped, with ±20% jitter so retries of many calls don't arrive together.
/// </summary>
public sealed class RetryPolicy(IOptionsMonitor<DeliveryOptions> options)
{
    /// <summary>The wait before the next attempt, after <paramref name="attemptsMade"/> failed ones; null once the policy is spent.</summary>
    public TimeSpan? NextDelay(int attemptsMade, double jitter01)
    {
        var policy = options.CurrentValue;
        if (attemptsMade >= policy.MaxAttempts)
        {
            return null;
        }

        var exponential = policy.RetryInitialDelaySeconds * Math.Pow(2, Math.Max(0, attemptsMade - 1));
        var capped = Math.Min(exponential, policy.RetryMaxDelaySeconds);
        var jittered = Math.Min(capped * (0.8 + (0.4 * jitter01)), policy.RetryMaxDelaySeconds);
        return TimeSpan.FromSeconds(jittered);
    }
}
