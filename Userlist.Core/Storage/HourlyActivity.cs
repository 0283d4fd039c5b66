namespace Userlist.Core.Storage;

/// <summary>
/// What happened in one hour (UTC): calls received, delivery outcomes, and requests made and saved.
/// Kept as counters by the writers, so the overview's 24-hour chart and its figures for today read
/// at most 24 rows instead of scanning the log.
/// </summary>
public sealed class HourlyActivity
{
    /// <summary>The start of the hour (UTC).</summary>
    public DateTime Hour { get; set; }

    /// <summary>The start of the hour (UTC) that <paramref name="atUtc"/> falls in: the key of hourly counters.</summary>
    public static DateTime HourOf(DateTime atUtc) => new(atUtc.Year, atUtc.Month, atUtc.Day, atUtc.Hour, 0, 0, DateTimeKind.Utc);

    public int Received { get; set; }

    public int Delivered { get; set; }

    public int Rejected { get; set; }

    public int Failed { get; set; }

    /// <summary>Requests made to Userlist's Push API, whatever the answer; a merged request counts once.</summary>
    public int Requests { get; set; }

    /// <summary>Calls delivered in a merged request besides its first: each a request saved by coalescing.</summary>
    public int Merged { get; set; }

    /// <summary>Identify and group calls Skipped as unchanged since their last delivery: each a request saved.</summary>
    public int Unchanged { get; set; }
}
