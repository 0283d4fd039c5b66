using System.Data.Common;

namespace Userlist.Core.Storage;

/// <summary>
/// Adds up what a commit did, hour by hour, and writes it into <see cref="HourlyActivity"/> in the
/// same transaction: one small upsert per hour touched, so the counters are exactly as durable as
/// the rows they count.
/// </summary>
internal sealed class HourlyActivityCounter
{
    private readonly Dictionary<DateTime, (int Received, int Delivered, int Rejected, int Failed)> hours = [];

    public void Received(DateTime atUtc) => Add(atUtc, received: 1);

    /// <summary>Counts a call's new status, when it is one the overview charts.</summary>
    public void Outcome(DateTime atUtc, MessageStatus status, int count = 1)
    {
        switch (status)
        {
            case MessageStatus.Delivered:
                Add(atUtc, delivered: count);
                break;
            case MessageStatus.Rejected:
                Add(atUtc, rejected: count);
                break;
            case MessageStatus.Failed:
                Add(atUtc, failed: count);
                break;
        }
    }

    /// <summary>Adds the counts to their hours, in the commit's transaction (the same SQL on both providers).</summary>
    public void Write(DbConnection connection, DbTransaction transaction)
    {
        if (hours.Count == 0)
        {
            return;
        }

        using var upsert = connection.Command(transaction, """
            INSERT INTO "HourlyActivity" ("Hour", "Received", "Delivered", "Rejected", "Failed") VALUES (@hour, @received, @delivered, @rejected, @failed)
            ON CONFLICT ("Hour") DO UPDATE SET "Received" = "HourlyActivity"."Received" + excluded."Received",
                "Delivered" = "HourlyActivity"."Delivered" + excluded."Delivered", "Rejected" = "HourlyActivity"."Rejected" + excluded."Rejected",
                "Failed" = "HourlyActivity"."Failed" + excluded."Failed"
            """);
        // Hours in order, so that commits running side by side lock their rows in the same order.
        foreach (var (start, counts) in hours.OrderBy(hour => hour.Key))
        {
            upsert.Set("hour", start);
            upsert.Set("received", counts.Received);
            upsert.Set("delivered", counts.Delivered);
            upsert.Set("rejected", counts.Rejected);
            upsert.Set("failed", counts.Failed);
            upsert.ExecuteNonQuery();
        }
    }

    private void Add(DateTime atUtc, int received = 0, int delivered = 0, int rejected = 0, int failed = 0)
    {
        var hour = new DateTime(atUtc.Year, atUtc.Month, atUtc.Day, atUtc.Hour, 0, 0, DateTimeKind.Utc);
        var counts = hours.GetValueOrDefault(hour);
        hours[hour] = (counts.Received + received, counts.Delivered + delivered, counts.Rejected + rejected, counts.Failed + failed);
    }
}
