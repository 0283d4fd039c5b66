using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>Aggregates over stored calls for the dashboard.</summary>
public sealed class MessageStatistics(IDbContextFactory<RelayDbContext> databases)
{
    /// <summary>Stored calls per status; every status is present, with 0 where there are none.</summary>
    public async Task<IReadOnlyDictionary<MessageStatus, int>> CountByStatusAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var counts = await db.Messages.GroupBy(m => m.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        return Enum.GetValues<MessageStatus>().ToDictionary(status => status, status => counts.GetValueOrDefault(status));
    }
}
