using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Userlist.Core.Storage;

namespace Userlist.Core.Ingest;

/// <summary>Refused ingest requests, by reason and presented key, as the overview lists them.</summary>
public sealed record RefusedIngestSummary(string KeyHint, string Reason, int Count, DateTime LastAt);

/// <summary>
/// Counts ingest requests refused for a write key, a webhook signature or the per-key rate limit,
/// and those answered 503. A refusal only adds to a counter in memory (accepted requests never
/// come here); <see cref="FlushAsync"/> adds the counts to the hourly rows in the database and
/// writes one summary line to the log, at most once a minute (<see cref="RefusedIngestFlusher"/>).
/// Of a presented key, only its last four characters are kept.
/// </summary>
public sealed partial class IngestRefusals(IDbContextFactory<RelayDbContext> databases, TimeProvider time, ILogger<IngestRefusals> logger)
{
    public const string WriteKeyReason = "write_key";
    public const string SignatureReason = "signature";
    public const string RateLimitReason = "rate_limit";
    public const string UnavailableReason = "unavailable";

    /// <summary>
    /// Distinct (hour, key, reason) counters kept between flushes: a client spraying random keys
    /// adds to one <c>(other)</c> counter past this, instead of a row per key.
    /// </summary>
    private const int MostCounters = 100;

    /// <summary>Keys shorter than this are not shown at all: their last four characters would be most of them.</summary>
    private const int ShortestHintedKey = 8;

    private readonly Lock gate = new();
    private Dictionary<(DateTime Hour, string KeyHint, string Reason), (int Count, DateTime LastAt)> counted = [];
    private DateTime? lastUnavailableAt;

    /// <summary>When this instance last answered 503 (storage unavailable); null if it has not since it started.</summary>
    public DateTime? LastUnavailableAt
    {
        get
        {
            lock (gate)
            {
                return lastUnavailableAt;
            }
        }
    }

    /// <summary>What identifies a presented key on the dashboard: its last four characters, <c>(none)</c> or <c>(short)</c> (never four characters, so never taken for a key's).</summary>
    public static string Hint(string? presentedKey) => presentedKey switch
    {
        null or "" => "(none)",
        { Length: < ShortestHintedKey } => "(short)",
        _ => presentedKey[^4..],
    };

    /// <summary>Counts one refused request (cheap: a dictionary update under a lock).</summary>
    public void Refused(string reason, string? presentedKey)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var hour = HourlyActivity.HourOf(now);
        var key = (hour, Hint(presentedKey), reason);
        lock (gate)
        {
            if (counted.Count >= MostCounters && !counted.ContainsKey(key))
            {
                key = (hour, "(other)", reason);
            }

            var (count, _) = counted.GetValueOrDefault(key);
            counted[key] = (count + 1, now);
            if (reason == UnavailableReason)
            {
                lastUnavailableAt = now;
            }
        }
    }

    /// <summary>
    /// Adds what was counted since the last flush to the database and logs one summary line. When
    /// the database is unavailable the counts stay in memory for the next flush.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<(DateTime Hour, string KeyHint, string Reason), (int Count, DateTime LastAt)> batch;
        lock (gate)
        {
            if (counted.Count == 0)
            {
                return;
            }

            (batch, counted) = (counted, []);
        }

        try
        {
            await StorageCalls.RunAsync(async () =>
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                foreach (var ((hour, hint, reason), (count, lastAt)) in batch.OrderBy(b => b.Key))
                {
                    await db.Database.ExecuteSqlAsync($"""
                        INSERT INTO "RefusedIngest" ("Hour", "KeyHint", "Reason", "Count", "LastAt") VALUES ({hour}, {hint}, {reason}, {count}, {lastAt})
                        ON CONFLICT ("Hour", "KeyHint", "Reason") DO UPDATE SET "Count" = "RefusedIngest"."Count" + excluded."Count",
                            "LastAt" = CASE WHEN excluded."LastAt" > "RefusedIngest"."LastAt" THEN excluded."LastAt" ELSE "RefusedIngest"."LastAt" END
                        """, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch (Exception exception) when (exception is StorageUnavailableException or OperationCanceledException or ObjectDisposedException)
        {
            // Unavailable, or (at a stop) already closed: kept for the next flush, if there is one.
            Restore(batch);
            LogNotFlushed(batch.Values.Sum(v => v.Count));
            return;
        }

        var summary = string.Join(", ", batch
            .GroupBy(b => (b.Key.Reason, b.Key.KeyHint))
            .OrderByDescending(g => g.Sum(b => b.Value.Count))
            .Select(g => $"{g.Key.Reason} (key {Describe(g.Key.KeyHint)}) × {g.Sum(b => b.Value.Count)}"));
        LogRefused(batch.Values.Sum(v => v.Count), summary);
    }

    /// <summary>Refusals since <paramref name="sinceUtc"/> by key and reason, newest first, with what this instance has not flushed yet.</summary>
    public Task<IReadOnlyList<RefusedIngestSummary>> SinceAsync(DateTime sinceUtc, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<RefusedIngestSummary>>(async () =>
    {
        var hour = HourlyActivity.HourOf(sinceUtc);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.RefusedIngest.AsNoTracking().Where(r => r.Hour >= hour)
            .GroupBy(r => new { r.KeyHint, r.Reason })
            .Select(g => new { g.Key.KeyHint, g.Key.Reason, Count = g.Sum(r => r.Count), LastAt = g.Max(r => r.LastAt) })
            .ToListAsync(cancellationToken);
        return stored.Select(s => (s.KeyHint, s.Reason, s.Count, s.LastAt))
            .Concat(Unflushed().Where(u => u.Key.Hour >= hour).Select(u => (u.Key.KeyHint, u.Key.Reason, u.Value.Count, u.Value.LastAt)))
            .GroupBy(r => (r.KeyHint, r.Reason))
            .Select(g => new RefusedIngestSummary(g.Key.KeyHint, g.Key.Reason, g.Sum(r => r.Count), g.Max(r => r.LastAt)))
            .OrderByDescending(r => r.LastAt)
            .ToList();
    });

    /// <summary>The latest refusal of a key (write key refused or rate-limited) by its last four characters.</summary>
    public Task<IReadOnlyDictionary<string, DateTime>> LastRefusedByHintAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyDictionary<string, DateTime>>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.RefusedIngest.AsNoTracking().Where(r => r.Reason == WriteKeyReason || r.Reason == RateLimitReason)
            .GroupBy(r => r.KeyHint).Select(g => new { KeyHint = g.Key, LastAt = g.Max(r => r.LastAt) })
            .ToListAsync(cancellationToken);
        return stored.Select(s => (s.KeyHint, s.LastAt))
            .Concat(Unflushed().Where(u => u.Key.Reason is WriteKeyReason or RateLimitReason).Select(u => (u.Key.KeyHint, u.Value.LastAt)))
            .GroupBy(r => r.KeyHint)
            .ToDictionary(g => g.Key, g => g.Max(r => r.LastAt));
    });

    /// <summary>The latest 503 any instance has flushed, or this one has counted.</summary>
    public Task<DateTime?> LastUnavailableAnywhereAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.RefusedIngest.AsNoTracking().Where(r => r.Reason == UnavailableReason).MaxAsync(r => (DateTime?)r.LastAt, cancellationToken);
        var local = LastUnavailableAt;
        return stored is null ? local : local is null ? stored : stored > local ? stored : local;
    });

    public static string Describe(string hint) => hint.StartsWith('(') ? hint : $"…{hint}";

    private List<KeyValuePair<(DateTime Hour, string KeyHint, string Reason), (int Count, DateTime LastAt)>> Unflushed()
    {
        lock (gate)
        {
            return [.. counted];
        }
    }

    private void Restore(Dictionary<(DateTime Hour, string KeyHint, string Reason), (int Count, DateTime LastAt)> batch)
    {
        lock (gate)
        {
            foreach (var (key, (count, lastAt)) in batch)
            {
                var (already, last) = counted.GetValueOrDefault(key);
                counted[key] = (already + count, last > lastAt ? last : lastAt);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} ingest requests since the last summary: {Summary}")]
    private partial void LogRefused(int count, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} refused ingest requests yet (the database is unavailable); they are kept for the next minute")]
    private partial void LogNotFlushed(int count);
}
