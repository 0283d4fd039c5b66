using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage;

/// <summary>
/// Group commit for database writes: every item queued while a commit runs goes into the next
/// one, so one transaction (one fsync) serves many callers, and each caller's task completes
/// only once its item is durably committed. When a commit fails for a reason of its own items (not
/// the database's), they are committed one by one, so one bad item never takes the others down.
/// </summary>
/// <param name="storage">The provider's connections, and its word on which failures are the database's.</param>
/// <param name="queueName">The <c>queue</c> label of the group-commit metrics.</param>
public abstract class GroupCommitQueue<TItem>(IStorageConnections storage, RelayMetrics metrics, string queueName) : BackgroundService
{
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>();
    private int inFlight;

    /// <summary>The relay's metrics, for what a subclass counts per commit.</summary>
    protected RelayMetrics Metrics => metrics;

    /// <summary>The provider's connections, for a subclass to open its own.</summary>
    protected IStorageConnections Storage => storage;

    /// <summary>Items handed over and not yet answered: queued or in the commit under way.</summary>
    public int ItemsInFlight => Volatile.Read(ref inFlight);

    /// <summary>How much one transaction takes at most, so it never holds the write lock long.</summary>
    protected abstract int MaxWeightPerCommit { get; }

    /// <summary>
    /// Commit loops taking from the queue side by side, each with its own transactions: more than
    /// one only where the database runs commits in parallel (a subclass then keeps no state of a
    /// loop's own, and <see cref="Reset"/> has nothing to drop).
    /// </summary>
    protected virtual int CommitLoops => 1;

    /// <summary>What an item weighs against <see cref="MaxWeightPerCommit"/> (rows, say).</summary>
    protected virtual int Weight(TItem item) => 1;

    /// <summary>Writes the items in one transaction and commits it; throws when nothing was committed.</summary>
    protected abstract void Commit(IReadOnlyList<TItem> items);

    /// <summary>After a failed commit: drop whatever state (a connection) may be unusable now.</summary>
    protected abstract void Reset();

    /// <summary>The exception the waiting callers get when the database itself failed.</summary>
    protected virtual Exception StorageFailure(Exception exception) =>
        new StorageUnavailableException("The database cannot take writes right now", exception);

    /// <summary>Hands the item over; completes once it is durably committed.</summary>
    protected async Task EnqueueAsync(TItem item)
    {
        var pending = new Pending(item);
        if (!queue.Writer.TryWrite(pending))
        {
            throw new StorageUnavailableException("The relay is shutting down");
        }

        Interlocked.Increment(ref inFlight);
        try
        {
            await pending.Committed.Task;
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking items, then let the loop commit what is already queued.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>
    /// Commits run on a thread of their own: each blocks for its fsync, and on a small machine two
    /// queues blocking thread-pool threads all the time leave too few for the requests waiting on them.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, CommitLoops).Select(_ =>
            Task.Factory.StartNew(CommitLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

    private void CommitLoop()
    {
        var group = new List<Pending>();
        while (queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            group.Clear();
            var weight = 0;
            while (weight < MaxWeightPerCommit && queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
                weight += Weight(pending.Item);
            }

            CommitGroup(group, weight);
        }

        Reset();
    }

    private void CommitGroup(List<Pending> group, int weight)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            using (storage.TakeWriteTurn())
            {
                Commit(group.ConvertAll(p => p.Item));
            }

            metrics.GroupCommitted(queueName, weight, Stopwatch.GetElapsedTime(started));
            group.ForEach(p => p.Committed.TrySetResult());
        }
        catch (Exception exception) when (storage.IsStorageFailure(exception))
        {
            Reset();
            var failure = StorageFailure(exception);
            group.ForEach(p => p.Committed.TrySetException(failure));
        }
        catch (Exception) when (group.Count > 1)
        {
            Reset();
            group.ForEach(p => CommitGroup([p], Weight(p.Item)));
        }
        catch (Exception exception)
        {
            Reset();
            group[0].Committed.TrySetException(exception);
        }
    }

    private sealed record Pending(TItem Item)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
