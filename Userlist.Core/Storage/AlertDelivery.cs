namespace Userlist.Core.Storage;

/// <summary>
/// One alert for one channel: queued, sent, or given up on after its attempts. The table is the
/// alert outbox (retries are scheduled here) and the list the Settings page shows.
/// </summary>
public sealed class AlertDelivery
{
    public long Id { get; set; }

    /// <summary>When the alert was raised (queued), UTC.</summary>
    public DateTime At { get; set; }

    /// <summary><c>webhook</c> or <c>email</c>.</summary>
    public required string Channel { get; set; }

    /// <summary>The condition's name, or <c>test</c> for a test alert.</summary>
    public required string Condition { get; set; }

    /// <summary><c>raised</c>, <c>still</c> (raised again after the interval), <c>resolved</c> or <c>test</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The text sent: built by the relay from counts and states, never holding a secret.</summary>
    public required string Text { get; set; }

    /// <summary><c>pending</c>, <c>sent</c> or <c>failed</c> (attempts ran out).</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>Why the last attempt failed, without the channel's address or credentials.</summary>
    public string? Error { get; set; }
}
