using Userlist.Core.Segment;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage;

/// <summary>
/// Stores incoming calls with group commit (see <see cref="GroupCommitQueue{TItem}"/>): one
/// durable commit acknowledges many requests. A call already stored from the same source (same
/// messageId) is skipped, which makes client retries harmless. Each provider writes the rows its
/// fastest way; what a commit counts is the same for both.
/// </summary>
public abstract class MessageWriter(IStorageConnections storage, RelayMetrics metrics)
    : GroupCommitQueue<MessageWriter.Write>(storage, metrics, "ingest")
{
    /// <summary>Only the commit loop touches it, so one is reused.</summary>
    private readonly CallTally received = new();

    /// <summary>Raised after each commit, with the number of new rows; used to wake the dispatcher.</summary>
    public event Action<int>? Committed;

    /// <summary>Writes made around the writer that count as in flight (<see cref="WritingAround"/>).</summary>
    private int writingAround;

    /// <summary>Requests handed to the writer and not yet answered, and writes made around it.</summary>
    public int WritesInFlight => ItemsInFlight + Volatile.Read(ref writingAround);

    /// <summary>Rows per transaction at most.</summary>
    public const int MaxRowsPerCommit = 10_000;

    protected override int MaxWeightPerCommit => MaxRowsPerCommit;

    /// <summary>
    /// Stores the calls in one transaction; completes once they are durably committed. Throws
    /// <see cref="StorageUnavailableException"/> when nothing could be stored.
    /// </summary>
    public Task WriteAsync(string sourceId, DateTime receivedAtUtc, IReadOnlyList<IncomingCall> calls) =>
        EnqueueAsync(new Write(sourceId, receivedAtUtc, calls));

    protected override int Weight(Write item) => item.Calls.Count;

    /// <summary>
    /// Counts a loop that inserts calls around the writer (bench/ingest's storage ceiling) as a write
    /// in flight until disposed, so that what gives way to ingest (SQLite's search indexer) gives way
    /// to it too, as it would to the same rows coming through ingest.
    /// </summary>
    public IDisposable WritingAround()
    {
        Interlocked.Increment(ref writingAround);
        return new AroundScope(this);
    }

    /// <summary>Starts counting a commit's calls: every call goes to <see cref="Stored"/> once, then <see cref="Committed"/> follows the commit.</summary>
    private protected HourlyActivityCounter BeginCount()
    {
        received.Clear();
        return new HourlyActivityCounter();
    }

    /// <summary>
    /// Goes through the commit's calls in order, asking the provider whether each was new (stored now)
    /// or a duplicate of one stored before, and counts them; returns how many were new.
    /// </summary>
    private protected int CountEach(IReadOnlyList<Write> items, Func<Write, IncomingCall, bool> isNew, HourlyActivityCounter activity)
    {
        var added = 0;
        foreach (var write in items)
        {
            foreach (var call in write.Calls)
            {
                var stored = isNew(write, call);
                added += stored ? 1 : 0;
                Counted(write, call, stored, activity);
            }
        }

        return added;
    }

    private void Counted(Write write, IncomingCall call, bool isNew, HourlyActivityCounter activity)
    {
        if (isNew)
        {
            activity.Received(write.ReceivedAtUtc);
            received.Add(call.Type, call.Invalid is null ? CallOutcome.Stored : CallOutcome.Invalid);
        }
        else
        {
            received.Add(call.Type, CallOutcome.Duplicate);
        }
    }

    /// <summary>After the commit: the metrics, and the dispatcher's wake-up.</summary>
    protected void CommitDone(int added)
    {
        received.Flush(Metrics);
        Committed?.Invoke(added);
    }

    /// <summary>What a call's row holds besides its fields: its status and reason as stored.</summary>
    internal static (MessageStatus Status, string? Reason) InitialStatus(IncomingCall call) =>
        call.Invalid is { } problem ? (MessageStatus.Invalid, $"{problem.Code}: {problem.Message}") : (MessageStatus.Pending, null);

    /// <summary>One request's calls, stored together.</summary>
    public sealed record Write(string SourceId, DateTime ReceivedAtUtc, IReadOnlyList<IncomingCall> Calls);

    private sealed class AroundScope(MessageWriter writer) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref writer.writingAround);
            }
        }
    }
}
