using Microsoft.Extensions.Options;
using Userlist.Core.Settings;

namespace Userlist.Core.Delivery;

/// <summary>
/// Keeps sending under Userlist's limit: requests leave evenly spaced at a little under
/// <c>Userlist:RequestsPerMinute</c>, never in bursts, and a 429 pauses everyone until Userlist's
/// Retry-After has passed.
/// </summary>
public sealed class SendPacer(IOptionsMonitor<UserlistOptions> options, TimeProvider time)
{
    /// <summary>Aim a little under the limit so that scheduling jitter never pushes a minute over it.</summary>
    private const double Headroom = 0.98;

    /// <summary>
    /// Unused sending time that may be made up, so the short pause between two dispatch passes
    /// doesn't cost throughput. Safe: with the headroom, any 60 s still holds fewer requests than
    /// the limit (60.5 s × 98% of the rate).
    /// </summary>
    private static readonly TimeSpan Catchup = TimeSpan.FromMilliseconds(500);

    private readonly Lock gate = new();
    private DateTimeOffset nextSlot = DateTimeOffset.MinValue;
    private DateTimeOffset pausedUntil = DateTimeOffset.MinValue;

    /// <summary>When sending may resume after a 429; in the past when not paused.</summary>
    public DateTimeOffset PausedUntil
    {
        get
        {
            lock (gate)
            {
                return pausedUntil;
            }
        }
    }

    /// <summary>Waits for this request's turn.</summary>
    public Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMinutes(1 / (options.CurrentValue.RequestsPerMinute * Headroom));
        DateTimeOffset slot;
        lock (gate)
        {
            var now = time.GetUtcNow();
            slot = Max(Max(now - Catchup, nextSlot), pausedUntil);
            nextSlot = slot + interval;
        }

        var wait = slot - time.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Holds every request until then (a 429 from Userlist).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (gate)
        {
            pausedUntil = Max(pausedUntil, until);
            nextSlot = Max(nextSlot, until);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
