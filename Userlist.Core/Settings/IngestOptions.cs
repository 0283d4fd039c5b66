namespace Userlist.Core.Settings;

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
}
