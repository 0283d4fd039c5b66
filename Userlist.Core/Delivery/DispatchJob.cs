using Hangfire;
using Microsoft.Extensions.Hosting;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// The Hangfire job that delivers: passes until nothing is due, waiting in between for retries
/// that fall due within a minute, and scheduling itself for later ones. Safe to run twice at once:
/// the dispatcher's claims keep each call to one run. Hangfire's own retry is off: a delivery
/// failure is handled per call by the retry policy, not by re-running the job. A planned stop
/// (the host stopping, or Hangfire cancelling the job) ends the loop after the pass under way has
/// finished its requests in flight and returned what it did not send.
/// </summary>
public sealed class DispatchJob(
    DeliveryDispatcher dispatcher, DispatchSignal signal, IDispatcherRole role, IBackgroundJobClient jobs, IHostApplicationLifetime lifetime, TimeProvider time)
{
    /// <summary>Retries due later than this are left to a scheduled job instead of a waiting one.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    [AutomaticRetry(Attempts = 0)]
    [Queue("delivery")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!role.IsDispatcher)
        {
            // Another instance dispatches (its job server alone serves the delivery queue; this is
            // the minutely job reaching an instance as it loses the role).
            return;
        }

        // The host's stop comes first (before Kestrel drains ingest): stop claiming then, not when Hangfire's turn comes.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        cancellationToken = stopping.Token;
        signal.Running();
        var stopped = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested && role.IsDispatcher)
            {
                signal.BeginPass();
                if (await dispatcher.DispatchOnceAsync(cancellationToken) > 0)
                {
                    continue;
                }

                if (dispatcher.Block != DeliveryBlock.None)
                {
                    signal.Hold();
                    stopped = signal.TryStop();
                    return;
                }

                signal.Unhold();

                var wait = await dispatcher.NextDueAsync(cancellationToken) - time.GetUtcNow();
                if (wait is null || wait > LongestWait)
                {
                    if (wait is not null)
                    {
                        jobs.Schedule<DispatchJob>(job => job.RunAsync(CancellationToken.None), wait.Value);
                    }

                    if (stopped = signal.TryStop())
                    {
                        return;
                    }

                    continue;
                }

                await signal.WaitAsync(wait.Value > TimeSpan.Zero ? wait.Value : TimeSpan.Zero, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A planned stop, not a failure: the pass under way has already recorded or returned its calls.
        }
        finally
        {
            if (!stopped)
            {
                signal.Abandon();
            }
        }
    }
}
