using System.Data.Common;

namespace Userlist.Core.Storage;

/// <summary>
/// Adds up what a commit did, hour by hour, and writes it into <see cref="HourlyActivity"/> in the
/// same transaction: one small upsert per hour touched, so the counters are exactly as durable as
/// the rows they count.
/// </summary>
internal sealed class HourlyActivityCounter
{
    private readonly Dictionary<DateTime, Counts> hours = [];

    public void Received(DateTime atUtc) => Add(atUtc, new Counts(Received: 1));

    /// <summary>Counts a call's new status, when it is one the overview charts.</summary>
    public void Outcome(DateTime atUtc, MessageStatus status, int count = 1)
    {
        switch (status)
        {
            case MessageStatus.Delivered:
                Add(atUtc, new Counts(Delivered: count));
                break;
            case MessageStatus.Rejected:
                Add(atUtc, new Counts(Rejected: count));
                break;
            case MessageStatus.Failed:
                Add(atUtc, new Counts(Failed: count));
                break;
        }
    }

    /// <summary>Counts a request made to Userlist (a merged one once, however many calls it carried).</summary>
    public void Request(DateTime atUtc) => Add(atUtc, new Counts(Requests: 1));

    /// <summary>Counts a call delivered in a merged request besides its first: a request saved.</summary>
    public void Merged(DateTime atUtc) => Add(atUtc, new Counts(Merged: 1));

    /// <summary>Counts a call Skipped as unchanged since its user's or company's last delivery: a request saved.</summary>
    public void Unchanged(DateTime atUtc) => Add(atUtc, new Counts(Unchanged: 1));

    /// <summary>Adds the counts to their hours, in the commit's transaction (the same SQL on both providers).</summary>
    public void Write(DbConnection connection, DbTransaction transaction)
    {
        if (hours.Count == 0)
        {
            return;
        }

        using var upsert = connection.Command(transaction, """
            INSERT INTO "HourlyActivity" ("Hour", "Received", "Delivered", "Rejected", "Failed", "Requests", "Merged", "Unchanged")
            VALUES (@hour, @received, @delivered, @rejected, @failed, @requests, @merged, @unchanged)
            ON CONFLICT ("Hour") DO UPDATE SET "Received" = "HourlyActivity"."Received" + excluded."Received",
                "Delivered" = "HourlyActivity"."Delivered" + excluded."Delivered", "Rejected" = "HourlyActivity"."Rejected" + excluded."Rejected",
                "Failed" = "HourlyActivity"."Failed" + excluded."Failed", "Requests" = "HourlyActivity"."Requests" + excluded."Requests",
                "Merged" = "HourlyActivity"."Merged" + excluded."Merged", "Unchanged" = "HourlyActivity"."Unchanged" + excluded."Unchanged"
            """);
        // Hours in order, so that commits running side by side lock their rows in the same order.
        foreach (var (start, counts) in hours.OrderBy(hour => hour.Key))
        {
            upsert.Set("hour", start);
            upsert.Set("received", counts.Received);
            upsert.Set("delivered", counts.Delivered);
            upsert.Set("rejected", counts.Rejected);
            upsert.Set("failed", counts.Failed);
            upsert.Set("requests", counts.Requests);
            upsert.Set("merged", counts.Merged);
            upsert.Set("unchanged", counts.Unchanged);
            upsert.ExecuteNonQuery();
        }
    }

    private void Add(DateTime atUtc, Counts added)
    {
        var hour = HourlyActivity.HourOf(atUtc);
        var counts = hours.GetValueOrDefault(hour);
        hours[hour] = new Counts(
            counts.Received + added.Received, counts.Delivered + added.Delivered, counts.Rejected + added.Rejected, counts.Failed + added.Failed,
            counts.Requests + added.Requests, counts.Merged + added.Merged, counts.Unchanged + added.Unchanged);
    }

    private readonly record struct Counts(
        int Received = 0, int Delivered = 0, int Rejected = 0, int Failed = 0, int Requests = 0, int Merged = 0, int Unchanged = 0);
}
