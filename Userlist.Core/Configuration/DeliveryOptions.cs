using System.ComponentModel.DataAnnotations;

namespace Userlist.Core.Configuration;

/// <summary>How the relay delivers to Userlist: the retry policy, concurrency, coalescing, unchanged skips and retention.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Delivery";

    /// <summary>The first wait after a transient failure; each further wait doubles, with jitter.</summary>
    [Range(0.001, 86_400, ErrorMessage = "Delivery:RetryInitialDelaySeconds must be between 0.001 and 86400")]
    public double RetryInitialDelaySeconds { get; set; } = 10;

    [Range(0.001, 86_400, ErrorMessage = "Delivery:RetryMaxDelaySeconds must be between 0.001 and 86400")]
    public double RetryMaxDelaySeconds { get; set; } = 3_600;

    /// <summary>Attempts before a call is Failed (429s and 401s don't count).</summary>
    [Range(1, 100, ErrorMessage = "Delivery:MaxAttempts must be between 1 and 100")]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Requests in flight to Userlist at once, across users; enough to reach the rate limit at Userlist's latency.</summary>
    [Range(1, 256, ErrorMessage = "Delivery:Concurrency must be between 1 and 256")]
    public int Concurrency { get; set; } = 32;

    /// <summary>How long a claimed call may stay Delivering before it returns to Pending (a crashed run).</summary>
    [Range(1, 3_600, ErrorMessage = "Delivery:LeaseSeconds must be between 1 and 3600")]
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>
    /// Merge a user's due identify calls (and group calls for one company) into one request each
    /// (design §10). False sends one request per call.
    /// </summary>
    public bool Coalesce { get; set; } = true;

    /// <summary>
    /// An identify or group call that would set nothing different from what was last delivered
    /// for its user or company, within this many hours of that delivery, is Skipped (design §10).
    /// The window bounds how long an edit made in Userlist itself can go without being overwritten.
    /// 0 sends every call.
    /// </summary>
    [Range(0, 8_760, ErrorMessage = "Delivery:SkipUnchangedHours must be between 0 and 8760")]
    public int SkipUnchangedHours { get; set; } = 24;

    /// <summary>
    /// An anonymous track or group call waits this many hours for an identify or alias naming its
    /// anonymousId, then goes as that user (design §10); past it, it is Rejected. 0 rejects such
    /// calls at once.
    /// </summary>
    [Range(0, 8_760, ErrorMessage = "Delivery:IdentityWaitHours must be between 0 and 8760")]
    public int IdentityWaitHours { get; set; } = 24;

    /// <summary>Delivered and Skipped calls older than this are deleted, with their attempts, daily.</summary>
    [Range(1, 3_650, ErrorMessage = "Delivery:RetentionDays must be between 1 and 3650")]
    public int RetentionDays { get; set; } = 30;
}
