namespace Userlist.Core.Storage;

/// <summary>
/// What happened in one hour (UTC): calls received and delivery outcomes. Kept as counters by the
/// writers, so the overview's 24-hour chart reads 24 rows instead of scanning the log.
/// </summary>
public sealed class HourlyActivity
{
    /// <summary>The start of the hour (UTC).</summary>
    public DateTime Hour { get; set; }

    public int Received { get; set; }

    public int Delivered { get; set; }

    public int Rejected { get; set; }

    public int Failed { get; set; }
}
