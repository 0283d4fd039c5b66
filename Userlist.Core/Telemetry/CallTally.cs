namespace Userlist.Core.Telemetry;

/// <summary>What became of a received call, as the <c>outcome</c> label of <c>userlist_relay.calls.received</c>.</summary>
public enum CallOutcome
{
    /// <summary>Stored as a new call, to be delivered.</summary>
    Stored,

    /// <summary>The source had already sent this messageId: answered 200, not stored again.</summary>
    Duplicate,

    /// <summary>Failed validation: stored as Invalid for the operator, never forwarded.</summary>
    Invalid,

    /// <summary>Storage could not take it: the client was answered 503 and will retry.</summary>
    Unavailable,
}

/// <summary>
/// Adds calls up by type and outcome over one commit, so the counter moves once per pair and only
/// once the commit has held: a few array increments per call on the ingest path, nothing allocated.
/// Not thread-safe: one per commit loop or request.
/// </summary>
public sealed class CallTally
{
    // Only the types Segment defines become label values: anything else a client sends would
    // grow the series without bound.
    private static readonly string[] Types = ["identify", "track", "page", "screen", "group", "alias", "delete", "other"];
    private static readonly string[] Outcomes = ["stored", "duplicate", "invalid", "unavailable"];

    private readonly long[] counts = new long[Types.Length * Outcomes.Length];

    public void Add(string? callType, CallOutcome outcome) => counts[TypeIndex(callType) * Outcomes.Length + (int)outcome]++;

    /// <summary>Adds what was counted to the metrics and starts again from zero.</summary>
    public void Flush(RelayMetrics metrics)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                metrics.CallsReceived(Types[i / Outcomes.Length], Outcomes[i % Outcomes.Length], counts[i]);
            }
        }

        Clear();
    }

    public void Clear() => Array.Clear(counts);

    private static int TypeIndex(string? callType) => callType switch
    {
        "identify" => 0,
        "track" => 1,
        "page" => 2,
        "screen" => 3,
        "group" => 4,
        "alias" => 5,
        "delete" => 6,
        _ => 7,
    };
}
