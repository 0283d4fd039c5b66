using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>One row of the event log.</summary>
public sealed record MessageRow(long Id, DateTime ReceivedAt, string? Type, string? Event, string? UserId, string? GroupId, MessageStatus Status, string? StatusReason, int AttemptCount);

/// <summary>A page of the log and how many calls match; <c>TotalIsLowerBound</c> when counting stopped at the cap.</summary>
public sealed record MessagePage(IReadOnlyList<MessageRow> Rows, int Total, bool TotalIsLowerBound);

/// <summary>A call with everything the detail page shows; <c>SentWith</c>: the other calls its merged requests carried.</summary>
public sealed record MessageDetail(Message Message, IReadOnlyList<DeliveryAttempt> Attempts, IReadOnlyList<AuditEntry> Retries, IReadOnlyList<SentWithCall> SentWith);

/// <summary>Another call that went in the same merged request (<see cref="DeliveryAttempt.RequestId"/>).</summary>
public sealed record SentWithCall(string RequestId, long Id, string? Type, MessageStatus Status);

/// <summary>
/// The event log's queries, built to stay fast on millions of calls: status, user and anonymous
/// id use their indexes and are counted exactly; a time range becomes a range of Ids (calls are
/// stored in the order received); free text goes through the provider's index; other filters scan Ids
/// in order and stop at the page, and their counts stop at <see cref="CountCap"/>.
/// </summary>
public sealed class MessageQueries(IDbContextFactory<RelayDbContext> databases, ISearchIndex search)
{
    /// <summary>Counting further than this would scan the log; the page says "10,000+".</summary>
    public const int CountCap = 10_000;

    /// <summary>How deep the log pages; older calls are reached with a time range.</summary>
    public const int MaxBrowsable = 10_000;

    /// <summary>Calls commit in the order they arrive, give or take a write's wait for the lock.</summary>
    private static readonly TimeSpan ArrivalDisorder = TimeSpan.FromSeconds(30);

    public Task<MessagePage> PageAsync(MessageFilter filter, LogOrder order, int skip, int take, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = await FilteredAsync(db, filter, cancellationToken, browsing: true);
        var (total, lowerBound) = filter.UsesIndexesOnly
            ? (await query.CountAsync(cancellationToken), false)
            : (await query.Take(CountCap + 1).CountAsync(cancellationToken) is var capped && capped > CountCap ? (CountCap, true) : (capped, false));
        var ordered = order == LogOrder.NewestFirst ? query.OrderByDescending(m => m.Id) : query.OrderBy(m => m.Id);
        var rows = await ordered.Skip(Math.Min(skip, MaxBrowsable)).Take(take)
            .Select(m => new MessageRow(m.Id, m.ReceivedAt, m.Type, m.Event, m.UserId, m.GroupId, m.Status, m.StatusReason, m.AttemptCount))
            .ToListAsync(cancellationToken);
        return new MessagePage(rows, total, lowerBound);
    });

    public Task<MessageDetail?> DetailAsync(long id, CancellationToken cancellationToken) => StorageCalls.RunAsync<MessageDetail?>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null)
        {
            return null;
        }

        var attempts = await db.DeliveryAttempts.AsNoTracking().Where(a => a.MessageRowId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        var retries = await db.AuditLog.AsNoTracking().Where(a => a.MessageRowId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        var requests = attempts.Where(a => a.RequestId is not null).Select(a => a.RequestId).Distinct().ToList();
        var sentWith = requests.Count == 0
            ? []
            : await (from a in db.DeliveryAttempts
                     join m in db.Messages on a.MessageRowId equals m.Id
                     where requests.Contains(a.RequestId) && a.MessageRowId != id
                     orderby m.Id
                     select new SentWithCall(a.RequestId!, m.Id, m.Type, m.Status)).ToListAsync(cancellationToken);
        return new MessageDetail(message, attempts, retries, sentWith);
    });

    /// <summary>
    /// The calls the filter selects, as a query to page, count or update. <paramref name="browsing"/>
    /// lets a text-only search look at the newest matches alone (all the log can page through);
    /// retries pass false and reach every match.
    /// </summary>
    public async Task<IQueryable<Message>> FilteredAsync(RelayDbContext db, MessageFilter filter, CancellationToken cancellationToken, bool browsing = false)
    {
        var messages = db.Messages.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var textOnly = filter with { Text = null } == new MessageFilter();
            messages = search.Matching(db, filter, newestOnly: browsing && textOnly, cap: CountCap + 1);
        }

        if (filter.Status is { } status)
        {
            messages = messages.Where(m => m.Status == status);
        }

        messages = Equal(messages, filter.Type, text => m => m.Type == text);
        messages = Equal(messages, filter.UserId, text => m => m.UserId == text);
        messages = Equal(messages, filter.GroupId, text => m => m.GroupId == text);
        messages = Equal(messages, filter.AnonymousId, text => m => m.AnonymousId == text);
        messages = Equal(messages, filter.Event, text => m => m.Event == text);

        if (filter.ReceivedFrom is { } from)
        {
            var firstId = await FirstIdReceivedAtOrAfterAsync(db, from - ArrivalDisorder, cancellationToken);
            messages = messages.Where(m => m.Id >= firstId && m.ReceivedAt >= from);
        }

        if (filter.ReceivedTo is { } to)
        {
            var pastId = await FirstIdReceivedAtOrAfterAsync(db, to + ArrivalDisorder, cancellationToken);
            messages = messages.Where(m => m.Id < pastId && m.ReceivedAt < to);
        }

        return messages;
    }

    private static IQueryable<Message> Equal(IQueryable<Message> messages, string? value, Func<string, System.Linq.Expressions.Expression<Func<Message, bool>>> predicate) =>
        string.IsNullOrWhiteSpace(value) ? messages : messages.Where(predicate(value.Trim()));

    /// <summary>
    /// Binary search over Ids for the first call received at or after the instant: about twenty
    /// primary-key lookups instead of an index on the time (which every insert would pay for).
    /// </summary>
    private static async Task<long> FirstIdReceivedAtOrAfterAsync(RelayDbContext db, DateTime instant, CancellationToken cancellationToken)
    {
        var low = await db.Messages.MinAsync(m => (long?)m.Id, cancellationToken) ?? 0;
        var high = (await db.Messages.MaxAsync(m => (long?)m.Id, cancellationToken) ?? 0) + 1;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            var next = await db.Messages.Where(m => m.Id >= middle).OrderBy(m => m.Id)
                .Select(m => new { m.Id, m.ReceivedAt }).FirstOrDefaultAsync(cancellationToken);
            if (next is null || next.ReceivedAt >= instant)
            {
                high = middle;
            }
            else
            {
                low = next.Id + 1;
            }
        }

        return low;
    }
}
