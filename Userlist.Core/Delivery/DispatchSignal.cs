using Hangfire;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// Wakes delivery when calls arrive: enqueues one dispatch job when none is queued or running,
/// and wakes a running one that is waiting for a retry to fall due. At most one nudge job is
/// pending at a time, so a burst of ingest costs one Hangfire job, not one per request; and a
/// nudge that lands while a job is finishing keeps that job going, so none is lost.
/// </summary>
public sealed class DispatchSignal(IBackgroundJobClient jobs, IDispatcherRole role)
{
    private readonly WakeUp wake = new();
    private int active;
    private int pending;
    private volatile bool held;

    public void Nudge()
    {
        // While delivery is held (no key, key refused) new calls just wait: no job per commit.
        // The minutely dispatch re-checks, and a key change resumes at once. Only the dispatcher
        // delivers: another instance's commits reach it through the database.
        if (held || !role.IsDispatcher)
        {
            return;
        }

        Volatile.Write(ref pending, 1);
        if (Interlocked.CompareExchange(ref active, 1, 0) == 0)
        {
            jobs.Enqueue<DispatchJob>(job => job.RunAsync(CancellationToken.None));
            return;
        }

        wake.Signal();
    }

    /// <summary>Delivery found nothing it may send with (no key, or the key was refused).</summary>
    public void Hold() => held = true;

    /// <summary>Delivery found a key it may send with: nudges start jobs again.</summary>
    public void Unhold() => held = false;

    /// <summary>The key changed or delivery found a key: dispatch now.</summary>
    public void Resume()
    {
        held = false;
        Nudge();
    }

    /// <summary>A dispatch job runs: nudges from now on wake it instead of enqueuing another.</summary>
    public void Running() => Volatile.Write(ref active, 1);

    /// <summary>A pass starts: it will see every call committed before the nudges it consumes.</summary>
    public void BeginPass() => Volatile.Write(ref pending, 0);

    /// <summary>The job has nothing left; false when a nudge came meanwhile and it must go on.</summary>
    public bool TryStop()
    {
        Volatile.Write(ref active, 0);
        return !(Interlocked.Exchange(ref pending, 0) == 1 && Interlocked.CompareExchange(ref active, 1, 0) == 0);
    }

    /// <summary>The job ended abnormally: the next nudge enqueues a new one.</summary>
    public void Abandon() => Volatile.Write(ref active, 0);

    /// <summary>Waits until the time has passed or a nudge comes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => wake.WaitAsync(timeout, cancellationToken);
}
