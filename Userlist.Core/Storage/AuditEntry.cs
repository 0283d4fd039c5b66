namespace Userlist.Core.Storage;

/// <summary>One change an operator made in the dashboard: who, when and what (never a secret's value).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>The signed-in operator's email.</summary>
    public required string Operator { get; set; }

    /// <summary>What kind of change: "Setting", "Push API key", "Write key", "Retry", "Delivery".</summary>
    public required string Action { get; set; }

    /// <summary>The change in words, e.g. "Userlist:RequestsPerMinute 1000 → 600" or "Retried 12 calls where status = Failed".</summary>
    public required string Detail { get; set; }

    /// <summary>The call it concerns, for a retry of one call; shown on that call's timeline.</summary>
    public long? MessageRowId { get; set; }
}
