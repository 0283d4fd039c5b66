namespace Userlist.Core.Storage;

/// <summary>One Segment call as received: the source of truth for its delivery state.</summary>
public sealed class Message
{
    public long Id { get; set; }

    /// <summary>The write key (or webhook) it came through; duplicates are judged per source.</summary>
    public required string SourceId { get; set; }

    public required string MessageId { get; set; }

    /// <summary>The call type; null only for Invalid calls that had no usable type.</summary>
    public string? Type { get; set; }

    public string? UserId { get; set; }

    public string? AnonymousId { get; set; }

    /// <summary>The call's groupId, or <c>context.groupId</c> for calls attributed to a company.</summary>
    public string? GroupId { get; set; }

    public string? Event { get; set; }

    public DateTime ReceivedAt { get; set; }

    /// <summary>When it happened, corrected for client clock skew (UTC); null for Invalid calls.</summary>
    public DateTime? Timestamp { get; set; }

    /// <summary>The call's JSON after normalisation (raw, less the write key, for Invalid calls).</summary>
    public required string Payload { get; set; }

    public MessageStatus Status { get; set; }

    /// <summary>Why it is Invalid, Rejected, Skipped or Failed, for people.</summary>
    public string? StatusReason { get; set; }

    /// <summary>Delivery attempts that count toward the retry policy (a 429 or a 401 does not).</summary>
    public int AttemptCount { get; set; }

    /// <summary>When a Retrying call is due again (UTC).</summary>
    public DateTime? NextAttemptAt { get; set; }

    /// <summary>Identifies the dispatch run that claimed the call while it is Delivering.</summary>
    public string? LeaseToken { get; set; }

    /// <summary>When a claim lapses: a Delivering call past it goes back to Pending (UTC).</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>An operator sent it again from the dashboard: it goes on a request of its own, never merged with other calls.</summary>
    public bool RetriedManually { get; set; }

    /// <summary>
    /// For an anonymous call sent by identity stitching: the user its anonymousId was linked to,
    /// whom it went to Userlist as. The stored call itself is never changed.
    /// </summary>
    public string? LinkedUserId { get; set; }

    /// <summary>The identify or alias call that made that link.</summary>
    public long? LinkedByMessageRowId { get; set; }

    /// <summary>When the status last changed (UTC).</summary>
    public DateTime? UpdatedAt { get; set; }

    public List<DeliveryAttempt> Attempts { get; } = [];
}
