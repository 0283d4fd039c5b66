using System.Text.Json;

namespace Userlist.Core.Mapping;

/// <summary>
/// What the relay last delivered for one user or company (design §10): the bodies it sent, merged
/// as Userlist's upserts merge them (top-level fields replace, <c>properties</c> and a company's
/// relationships merge key by key, see <see cref="Coalescing.Merge"/>), the last call delivered and
/// when. Pure: it answers whether a request would set anything Userlist does not already hold.
/// </summary>
public sealed record DeliveredState(string Body, long MessageRowId, DateTime DeliveredAt)
{
    /// <summary>How every company's key begins (<c>/companies acme</c>); a user's begins <c>/users </c>.</summary>
    public const string CompanyKeyPrefix = "/companies ";

    /// <summary>
    /// The user or company an upsert (<c>POST /users</c>, <c>POST /companies</c>) is about: what it
    /// is remembered by, and what coalescing merges by. Null for any other request.
    /// </summary>
    public static string? KeyOf(PushRequest request) => request.Method == "POST" ? Coalescing.Target(request) : null;

    /// <summary>A delivered <c>DELETE /users</c>: the user it removed from Userlist, by the same key; null for any other request.</summary>
    public static string? ForgottenBy(PushRequest request) => request.Method == "DELETE" ? Coalescing.Target(request) : null;

    /// <summary>What is remembered once <paramref name="request"/> is delivered, by call #<paramref name="messageRowId"/>, on top of <paramref name="previous"/>.</summary>
    public static DeliveredState After(DeliveredState? previous, PushRequest request, long messageRowId, DateTime deliveredAt) =>
        new(previous is null ? request.Body : Merge(previous.Body, request.Body), messageRowId, deliveredAt);

    /// <summary>
    /// True when Userlist would hold anything different after <paramref name="body"/>: a field,
    /// property or relationship it lacks, or holds another value of. A null sent differs from a key
    /// never sent; a key the body leaves out changes nothing.
    /// </summary>
    public bool Changes(string body)
    {
        using var before = JsonDocument.Parse(Body);
        using var after = JsonDocument.Parse(Merge(Body, body));
        return !JsonElement.DeepEquals(before.RootElement, after.RootElement);
    }

    /// <summary>Delivered less than <paramref name="window"/> before <paramref name="now"/>.</summary>
    public bool IsWithin(TimeSpan window, DateTime now) => now - DeliveredAt < window;

    /// <summary>Why a call that would change nothing is Skipped, naming the call it repeats.</summary>
    /// <summary>How the reason of a call Skipped as unchanged begins; the overview's counters recognise it by this.</summary>
    public const string SkipReasonStart = "unchanged since ";

    public string SkipReason => $"{SkipReasonStart}call #{MessageRowId} delivered at {DeliveredAt:yyyy-MM-dd HH:mm:ss} UTC";

    private static string Merge(string earlier, string later) =>
        Coalescing.Merge([new PushRequest("POST", "", earlier), new PushRequest("POST", "", later)]).Body;
}
