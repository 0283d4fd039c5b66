namespace Userlist.Core.Storage;

/// <summary>
/// Free-text search over the stored calls, kept by each provider behind ingest (tokenising on the
/// insert path would cost ingest a large share of its throughput). Words are runs of letters,
/// digits and <c>@ . - _</c>, so an email or an id is one word; the user's words are one phrase
/// whose last word may be the start of a word ("acme co" finds "Acme Corp").
/// </summary>
public interface ISearchIndex
{
    /// <summary>
    /// The calls the filter's text matches. With <paramref name="newestOnly"/> at most the newest
    /// <paramref name="cap"/> matches, in a way that costs no more for a common word than a rare one;
    /// otherwise every match. The filter's ids and names, when given, may narrow the search (the
    /// caller still applies them exactly).
    /// </summary>
    IQueryable<Message> Matching(RelayDbContext db, MessageFilter filter, bool newestOnly, int cap);

    /// <summary>Takes deleted calls out of the index, in the caller's transaction.</summary>
    Task ForgetAsync(RelayDbContext db, IReadOnlyList<long> ids, CancellationToken cancellationToken);

    /// <summary>
    /// How many stored calls the index has still to take in: 0 once it has caught up, and while it
    /// is behind at least as many as remain (gaps in the Ids count too). A few index lookups, cheap
    /// to ask every second on millions of calls.
    /// </summary>
    Task<long> BacklogAsync(RelayDbContext db, CancellationToken cancellationToken);
}
