namespace Userlist.Core.Storage;

/// <summary>
/// Ingest requests refused in one hour (UTC) for one reason and one presented write key, known
/// only by its last four characters (or <c>(none)</c>): enough for an operator to recognise a
/// misconfigured client, nothing a caller could use.
/// </summary>
public sealed class RefusedIngestCount
{
    /// <summary>The start of the hour (UTC).</summary>
    public DateTime Hour { get; set; }

    /// <summary>The presented key's last four characters; <c>(none)</c> without a key, <c>(short)</c> for a key too short to show any of, <c>(other)</c> past the keys counted in one minute.</summary>
    public required string KeyHint { get; set; }

    /// <summary><c>write_key</c>, <c>signature</c>, <c>rate_limit</c> or <c>unavailable</c> (answered 503).</summary>
    public required string Reason { get; set; }

    public int Count { get; set; }

    /// <summary>The latest refusal counted in this row (UTC).</summary>
    public DateTime LastAt { get; set; }
}
