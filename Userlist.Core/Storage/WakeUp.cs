namespace Userlist.Core.Storage;

/// <summary>
/// Wakes one waiting loop: any number of signals while it works leave one wake-up for its next
/// wait, none are queued beyond that, and a wait ends at its timeout without one.
/// </summary>
public sealed class WakeUp
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Signal()
    {
        if (signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another signal came first: one wake-up is enough.
        }
    }

    /// <summary>True when woken, false at the timeout.</summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken) => signal.Wait(timeout, cancellationToken);

    /// <inheritdoc cref="Wait"/>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}
