using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Mapping;
using Userlist.Core.Segment;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>
/// What a call's outcome changes in identity stitching (design §10), written in the transaction of
/// the outcome, so that a link and the release of the calls waiting on it can't come apart.
/// </summary>
public abstract record IdentityNote
{
    /// <summary>
    /// An identify of <paramref name="UserId"/> reached Userlist (or repeats one that did): the
    /// user exists there. Its <paramref name="AnonymousId"/>, if any, is linked to it, and the calls
    /// waiting on the user's links go.
    /// </summary>
    public sealed record UserIdentified(string UserId, string? AnonymousId, long MessageRowId) : IdentityNote;

    /// <summary>An alias: <paramref name="PreviousId"/> is <paramref name="UserId"/>; its calls go once the user is known to Userlist.</summary>
    public sealed record Aliased(string UserId, string PreviousId, long MessageRowId) : IdentityNote;

    /// <summary>The call waits for a link of <paramref name="AnonymousId"/>; one made meanwhile releases it at once.</summary>
    public sealed record WaitsFor(string AnonymousId) : IdentityNote;

    /// <summary>The call went to Userlist as <paramref name="UserId"/>, linked by call <paramref name="LinkedByMessageRowId"/>.</summary>
    public sealed record SentAs(string UserId, long LinkedByMessageRowId) : IdentityNote;
}

/// <summary>
/// Identity stitching's decisions for the dispatcher: which claimed anonymous calls have a user to
/// go as, which wait, and what each outcome links.
/// </summary>
public sealed class IdentityStitching(IDbContextFactory<RelayDbContext> databases, IOptionsMonitor<DeliveryOptions> options)
{
    /// <summary>How long an anonymous call waits for its identity; zero rejects it at once, as before stitching.</summary>
    public TimeSpan Window => TimeSpan.FromHours(options.CurrentValue.IdentityWaitHours);

    /// <summary>The links, to users known to Userlist, of the claimed calls' anonymous ids, by anonymous id.</summary>
    public async Task<IReadOnlyDictionary<string, IdentityLink>> LinksOfAsync(IReadOnlyCollection<Message> claimed, CancellationToken cancellationToken)
    {
        var anonymousIds = claimed.Where(IsAnonymous).Select(m => m.AnonymousId!).Distinct().ToList();
        if (anonymousIds.Count == 0 || Window <= TimeSpan.Zero)
        {
            return new Dictionary<string, IdentityLink>();
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.IdentityLinks.AsNoTracking().Where(l => anonymousIds.Contains(l.AnonymousId) && l.UserKnown)
            .ToDictionaryAsync(l => l.AnonymousId, cancellationToken);
    }

    /// <summary>The link of one anonymous id, known to Userlist or not; null when none was made.</summary>
    public async Task<IdentityLink?> LinkOfAsync(string anonymousId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.IdentityLinks.AsNoTracking().FirstOrDefaultAsync(l => l.AnonymousId == anonymousId, cancellationToken);
    }

    /// <summary>A track or group call without a userId that has an anonymousId: stitching may give it one.</summary>
    public static bool IsAnonymous(Message call) => IsAnonymous(call.Type, call.UserId, call.AnonymousId);

    private static bool IsAnonymous(string? type, string? userId, string? anonymousId) =>
        userId is null && anonymousId is not null && type is SegmentCallTypes.Track or SegmentCallTypes.Group;

    /// <summary>
    /// What a call's outcome links: an identify, once it has reached Userlist (delivered, or skipped
    /// as unchanged since a delivery), or an alias (which sends nothing itself).
    /// </summary>
    public static IdentityNote? LinkMadeBy(Message call, bool reachedUserlist) => call switch
    {
        { UserId: { } userId, Type: SegmentCallTypes.Identify } when reachedUserlist => new IdentityNote.UserIdentified(userId, call.AnonymousId, call.Id),
        { UserId: { } userId, Type: SegmentCallTypes.Alias } when PreviousId(call.Payload) is { } previousId && previousId != userId
            => new IdentityNote.Aliased(userId, previousId, call.Id),
        _ => null,
    };

    /// <summary>Whether the mapping refused the call only for want of a user, so that a link would let it go.</summary>
    public bool Waits(Message call, MappedCall mapped) => Waits(call.Type, call.UserId, call.AnonymousId, mapped);

    /// <summary>The same for a call not stored yet (the Sandbox's dry run).</summary>
    public bool Waits(string? type, string? userId, string? anonymousId, MappedCall mapped) =>
        Window > TimeSpan.Zero && IsAnonymous(type, userId, anonymousId) && mapped.Reason == SegmentToUserlist.AnonymousReason;

    public string WaitingReason(Message call) =>
        $"Waiting up to {Hours(Window)} for an identify or alias naming anonymous id {call.AnonymousId}, to send it as that user";

    /// <summary>Why a waiting call is Rejected; with stitching turned off, the plain refusal of anonymous calls, as before it.</summary>
    public static string ExpiredReason(TimeSpan window) => window > TimeSpan.Zero
        ? $"No identify or alias named its anonymous id within {Hours(window)}. {SegmentToUserlist.AnonymousReason}"
        : SegmentToUserlist.AnonymousReason;

    public static string Hours(TimeSpan window) => window.TotalHours == 1 ? "1 hour" : $"{window.TotalHours:0.##} hours";

    private static string? PreviousId(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.TryGetProperty("previousId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }
}
