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

    /// <summary>How often background work that gives way to ingest looks again for a gap.</summary>
    private static readonly TimeSpan GapRecheck = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Completes once no write is in flight: background work that gives way to ingest (a request
    /// waiting on a commit matters more) waits on it. Throws when cancelled.
    /// </summary>
    public async Task GapAsync(CancellationToken cancellationToken)
    {
        while (WritesInFlight > 0)
        {
            await Task.Delay(GapRecheck, cancellationToken);
        }
    }

    /// <summary><see cref="GapAsync"/> for a thread of its own: blocks until a gap; false once cancelled.</summary>
    public bool WaitForGap(CancellationToken cancellationToken)
    {
        while (WritesInFlight > 0)
        {
            if (cancellationToken.WaitHandle.WaitOne(GapRecheck))
            {
                return false;
            }
        }

        return !cancellationToken.IsCancellationRequested;
    }

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

    /// <summary>
    /// Goes through the commit's calls in order, asking the provider whether each was new (stored now)
    /// or a duplicate of one stored before, and counts them: the hours' counters (written in the
    /// transaction by the caller) and the calls' metrics (added once it commits, by <see cref="CommitDone"/>).
    /// </summary>
    private protected static CommitCount CountEach(IReadOnlyList<Write> items, Func<Write, IncomingCall, bool> isNew)
    {
        var count = new CommitCount();
        foreach (var write in items)
        {
            foreach (var call in write.Calls)
            {
                count.Add(write, call, isNew(write, call));
            }
        }

        return count;
    }

    /// <summary>After the commit: the metrics, and the dispatcher's wake-up.</summary>
    private protected void CommitDone(CommitCount count)
    {
        count.Calls.Flush(Metrics);
        Committed?.Invoke(count.Added);
    }

    /// <summary>What a call's row holds besides its fields: its status and reason as stored.</summary>
    internal static (MessageStatus Status, string? Reason) InitialStatus(IncomingCall call) =>
        call.Invalid is { } problem ? (MessageStatus.Invalid, $"{problem.Code}: {problem.Message}") : (MessageStatus.Pending, null);

    /// <summary>What one commit stored: new calls by hour and by type and outcome, and how many were new.</summary>
    private protected sealed class CommitCount
    {
        public HourlyActivityCounter Hours { get; } = new();

        public CallTally Calls { get; } = new();

        public int Added { get; private set; }

        public void Add(Write write, IncomingCall call, bool isNew)
        {
            if (isNew)
            {
                Added++;
                Hours.Received(write.ReceivedAtUtc);
                Calls.Add(call.Type, call.Invalid is null ? CallOutcome.Stored : CallOutcome.Invalid);
            }
            else
            {
                Calls.Add(call.Type, CallOutcome.Duplicate);
            }
        }
    }

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
