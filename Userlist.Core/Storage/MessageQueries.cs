using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>What the event log filters on; empty fields don't filter.</summary>
public sealed record MessageFilter(
    MessageStatus? Status = null,
    string? Type = null,
    string? UserId = null,
    string? GroupId = null,
    string? AnonymousId = null,
    string? Event = null);

/// <summary>One row of the event log.</summary>
public sealed record MessageRow(long Id, DateTime ReceivedAt, string? Type, string? Event, string? UserId, string? GroupId, MessageStatus Status, string? StatusReason, int AttemptCount);

/// <summary>A call with everything the detail page shows.</summary>
public sealed record MessageDetail(Message Message, IReadOnlyList<DeliveryAttempt> Attempts);

/// <summary>The event log's queries: newest first, paged in SQL, filtered on indexed columns where there is one.</summary>
public sealed class MessageQueries(IDbContextFactory<RelayDbContext> databases)
{
    public async Task<(IReadOnlyList<MessageRow> Rows, int Total)> PageAsync(MessageFilter filter, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db.Messages.AsNoTracking(), filter);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(m => m.Id).Skip(skip).Take(take)
            .Select(m => new MessageRow(m.Id, m.ReceivedAt, m.Type, m.Event, m.UserId, m.GroupId, m.Status, m.StatusReason, m.AttemptCount))
            .ToListAsync(cancellationToken);
        return (rows, total);
    }

    public async Task<MessageDetail?> DetailAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null)
        {
            return null;
        }

        var attempts = await db.DeliveryAttempts.AsNoTracking().Where(a => a.MessageRowId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return new MessageDetail(message, attempts);
    }

    public static IQueryable<Message> Filtered(IQueryable<Message> messages, MessageFilter filter)
    {
        if (filter.Status is { } status)
        {
            messages = messages.Where(m => m.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(filter.Type))
        {
            messages = messages.Where(m => m.Type == filter.Type);
        }

        if (!string.IsNullOrWhiteSpace(filter.UserId))
        {
            messages = messages.Where(m => m.UserId == filter.UserId.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.GroupId))
        {
            messages = messages.Where(m => m.GroupId == filter.GroupId.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.AnonymousId))
        {
            messages = messages.Where(m => m.AnonymousId == filter.AnonymousId.Trim());
        }

        if (!string.IsNullOrWhiteSpace(filter.Event))
        {
            messages = messages.Where(m => m.Event == filter.Event.Trim());
        }

        return messages;
    }
}
