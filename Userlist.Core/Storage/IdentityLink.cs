namespace Userlist.Core.Storage;

/// <summary>
/// An anonymous id known to belong to a user (design §10's identity stitching): from an identify
/// that carried both, or an alias (previousId → userId). Anonymous track and group calls of that
/// id go to Userlist as the user, once the user is known there.
/// </summary>
public sealed class IdentityLink
{
    public required string AnonymousId { get; set; }

    public required string UserId { get; set; }

    /// <summary>The identify or alias that made the link (not a foreign key: retention may delete it first).</summary>
    public long LinkedByMessageRowId { get; set; }

    /// <summary>When the link was recorded (UTC).</summary>
    public DateTime LinkedAt { get; set; }

    /// <summary>
    /// An identify of the user has reached Userlist, so calls sent as the user land on a user that
    /// exists. An alias alone links an id before that; its calls wait for the identify.
    /// </summary>
    public bool UserKnown { get; set; }
}
