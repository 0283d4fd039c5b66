namespace Userlist.Core.Storage;

/// <summary>Where a stored call stands; see the message lifecycle in the design notes.</summary>
public enum MessageStatus
{
    Pending = 0,
    Delivering = 1,
    Retrying = 2,
    Delivered = 3,
    Rejected = 4,
    Skipped = 5,
    Failed = 6,

    /// <summary>Failed validation at ingest: kept for the operator, never forwarded.</summary>
    Invalid = 7,

    /// <summary>
    /// An anonymous track or group call waiting for an identify or alias that names its anonymousId,
    /// to be delivered as that user (design §10); Rejected once <c>Delivery:IdentityWaitHours</c> pass.
    /// </summary>
    Waiting = 8,
}
