namespace Userlist.Core.Configuration;

public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Write keys accepted on /v1/*, besides those created in the dashboard.</summary>
    public string[] WriteKeys { get; set; } = [];

    /// <summary>
    /// Shared secret of a Segment Webhooks destination. When set, /segment/webhook needs a valid
    /// X-Signature; when empty, it needs a write key like /v1/*.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// Requests a second one write key may send before ingest answers 429 with Retry-After (a
    /// runaway client must not starve the others); 0 turns the limit off. Read at start.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1_000_000, ErrorMessage = "Ingest:RequestsPerSecondPerKey must be between 0 (no limit) and 1,000,000")]
    public int RequestsPerSecondPerKey { get; set; } = 10_000;
}
