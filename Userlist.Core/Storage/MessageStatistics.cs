using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>One hour of the overview's chart.</summary>
public sealed record ActivityPoint(DateTime Hour, int Received, int Delivered, int Rejected, int Failed);

/// <summary>
/// Requests made to Userlist since midnight (UTC), and the calls that needed none of their own:
/// delivered in a merged request besides its first, or Skipped as unchanged (design §10).
/// </summary>
public sealed record RequestsToday(int Sent, int Merged, int Unchanged)
{
    /// <summary>Requests that sending each call alone would have made on top of <see cref="Sent"/>.</summary>
    public int Saved => Merged + Unchanged;
}

/// <summary>A recent failed or refused request to Userlist, for the overview.</summary>
public sealed record RecentError(long MessageRowId, DateTime At, int? StatusCode, string Outcome, string Detail);

/// <summary>Aggregates over stored calls for the dashboard, each answered from an index or the hourly counters.</summary>
public sealed class MessageStatistics(IDbContextFactory<RelayDbContext> databases, TimeProvider time)
{
    /// <summary>Stored calls per status; every status is present, with 0 where there are none.</summary>
    public Task<IReadOnlyDictionary<MessageStatus, int>> CountByStatusAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyDictionary<MessageStatus, int>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var counts = await db.Messages.GroupBy(m => m.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        return Enum.GetValues<MessageStatus>().ToDictionary(status => status, status => counts.GetValueOrDefault(status));
    });

    /// <summary>The last 24 hours, oldest first, one point per hour (zeros where nothing happened).</summary>
    public Task<IReadOnlyList<ActivityPoint>> LastDayAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<ActivityPoint>>(async () =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        var currentHour = HourlyActivity.HourOf(now);
        var first = currentHour.AddHours(-23);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.HourlyActivity.AsNoTracking().Where(a => a.Hour >= first).ToDictionaryAsync(a => a.Hour, cancellationToken);
        return Enumerable.Range(0, 24).Select(i => first.AddHours(i)).Select(hour => rows.TryGetValue(hour, out var a)
            ? new ActivityPoint(hour, a.Received, a.Delivered, a.Rejected, a.Failed)
            : new ActivityPoint(hour, 0, 0, 0, 0)).ToList();
    });

    /// <summary>Today's requests and requests saved (UTC day), from the hourly counters: at most 24 rows.</summary>
    public Task<RequestsToday> RequestsTodayAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var midnight = time.GetUtcNow().UtcDateTime.Date;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var hours = await db.HourlyActivity.AsNoTracking().Where(a => a.Hour >= midnight)
            .Select(a => new { a.Requests, a.Merged, a.Unchanged }).ToListAsync(cancellationToken);
        return new RequestsToday(hours.Sum(h => h.Requests), hours.Sum(h => h.Merged), hours.Sum(h => h.Unchanged));
    });

    /// <summary>When the oldest call still waiting to be delivered (Pending or Retrying) was received; null when none waits.</summary>
    public Task<DateTime?> OldestWaitingAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var pending = await OldestAsync(db, MessageStatus.Pending, cancellationToken);
        var retrying = await OldestAsync(db, MessageStatus.Retrying, cancellationToken);
        return Earliest(pending, retrying);
    });

    /// <summary>When the oldest call Waiting for an identity was received; null when none waits (a seek on the status index).</summary>
    public Task<DateTime?> OldestWaitingForIdentityAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await OldestAsync(db, MessageStatus.Waiting, cancellationToken);
    });

    /// <summary>Requests sent to Userlist in the last minute: the sending rate to set against the limit.</summary>
    public Task<int> SentLastMinuteAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        var since = time.GetUtcNow().UtcDateTime.AddMinutes(-1);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // A merged request is an attempt of each call it carried, under one request id: it counts once.
        var single = await db.DeliveryAttempts.CountAsync(a => a.StartedAt >= since && a.RequestId == null, cancellationToken);
        var merged = await db.DeliveryAttempts.Where(a => a.StartedAt >= since && a.RequestId != null).Select(a => a.RequestId).Distinct().CountAsync(cancellationToken);
        return single + merged;
    });

    /// <summary>The newest attempts Userlist did not accept (refusals, errors, timeouts).</summary>
    public Task<IReadOnlyList<RecentError>> LastErrorsAsync(int count, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<RecentError>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.DeliveryAttempts.AsNoTracking().Where(a => a.Outcome != "Delivered").OrderByDescending(a => a.Id).Take(count)
            .Select(a => new RecentError(a.MessageRowId, a.StartedAt, a.StatusCode, a.Outcome, a.Error ?? a.ResponseBody ?? ""))
            .ToListAsync(cancellationToken);
    });

    /// <summary>The earlier of two times, either of which may be absent.</summary>
    internal static DateTime? Earliest(DateTime? one, DateTime? other) => one is null ? other : other is null || one < other ? one : other;

    /// <summary>When the oldest call in this status was received (a seek on the status index); null when there is none.</summary>
    internal static Task<DateTime?> OldestAsync(RelayDbContext db, MessageStatus status, CancellationToken cancellationToken) =>
        db.Messages.Where(m => m.Status == status).OrderBy(m => m.Id).Select(m => (DateTime?)m.ReceivedAt).FirstOrDefaultAsync(cancellationToken);
}
