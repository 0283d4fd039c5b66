using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>
/// Keeps sending under Userlist's limit: requests leave evenly spaced at a little under
/// <c>Userlist:RequestsPerMinute</c>, never in bursts, and a 429 pauses everyone until Userlist's
/// Retry-After has passed. It also keeps the turns of the last minute, for the sending-rate gauge.
/// </summary>
public sealed class SendPacer(IOptionsMonitor<UserlistOptions> options, TimeProvider time) : ISendingRate
{
    /// <summary>Aim a little under the limit so that scheduling jitter never pushes a minute over it.</summary>
    private const double Headroom = 0.98;

    /// <summary>
    /// Unused sending time that may be made up, so the short pause between two dispatch passes
    /// doesn't cost throughput. Safe: with the headroom, any 60 s still holds fewer requests than
    /// the limit (60.5 s × 98% of the rate).
    /// </summary>
    private static readonly TimeSpan Catchup = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private DateTimeOffset nextSlot = DateTimeOffset.MinValue;
    private DateTimeOffset pausedUntil = DateTimeOffset.MinValue;

    /// <summary>The turns handed out in the last minute (and any still ahead), oldest first; at most the limit's worth.</summary>
    private readonly Queue<DateTimeOffset> recentTurns = new();

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
            ForgetTurnsBefore(now - OneMinute);
            recentTurns.Enqueue(slot);
        }

        var wait = slot - time.GetUtcNow();
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Turns whose time came in the last 60 seconds: each is a request sent to Userlist.</summary>
    public int SentLastMinute
    {
        get
        {
            lock (gate)
            {
                var now = time.GetUtcNow();
                ForgetTurnsBefore(now - OneMinute);
                return recentTurns.Count(turn => turn <= now);
            }
        }
    }

    public int LimitPerMinute => options.CurrentValue.RequestsPerMinute;

    /// <summary>Holds every request until then (a 429 from Userlist).</summary>
    public void PauseUntil(DateTimeOffset until)
    {
        lock (gate)
        {
            pausedUntil = Max(pausedUntil, until);
            nextSlot = Max(nextSlot, until);
        }
    }

    private void ForgetTurnsBefore(DateTimeOffset since)
    {
        while (recentTurns.TryPeek(out var oldest) && oldest <= since)
        {
            recentTurns.Dequeue();
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
