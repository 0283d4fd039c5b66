namespace Userlist.Core.Storage;

/// <summary>
/// What the relay last delivered for one user or company: the bodies it sent, merged as Userlist
/// merges them, and the call and time of the last delivery. Written with the delivery's outcome;
/// losing it costs only requests sent again.
/// </summary>
public sealed class DeliveredStateRow
{
    /// <summary>The path and identifier: <c>/users user-42</c>, <c>/companies acme</c>.</summary>
    public required string Key { get; set; }

    public required string Body { get; set; }

    /// <summary>The last call delivered for it (not a foreign key: retention may delete the call first).</summary>
    public long MessageRowId { get; set; }

    /// <summary>When Userlist accepted that call (UTC).</summary>
    public DateTime DeliveredAt { get; set; }
}
