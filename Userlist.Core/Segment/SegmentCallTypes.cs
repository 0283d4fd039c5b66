namespace Userlist.Core.Segment;

public static class SegmentCallTypes
{
    public const string Identify = "identify";
    public const string Track = "track";
    public const string Page = "page";
    public const string Screen = "screen";
    public const string Group = "group";
    public const string Alias = "alias";

    /// <summary>Sent only by Segment's Webhooks destination when a user deletion is requested.</summary>
    public const string Delete = "delete";

    /// <summary>The calls a Segment library sends to the tracking API.</summary>
    public static readonly IReadOnlySet<string> Tracking = new HashSet<string>(StringComparer.Ordinal)
    {
        Identify, Track, Page, Screen, Group, Alias,
    };

    /// <summary>What the Webhooks destination may post: the tracking calls and deletions.</summary>
    public static readonly IReadOnlySet<string> Webhook = new HashSet<string>(Tracking, StringComparer.Ordinal) { Delete };
}
