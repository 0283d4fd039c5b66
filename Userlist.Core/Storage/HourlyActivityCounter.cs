using Microsoft.Data.Sqlite;

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
    public void Outcome(DateTime atUtc, MessageStatus status)
    {
        switch (status)
        {
            case MessageStatus.Delivered:
                Add(atUtc, delivered: 1);
                break;
            case MessageStatus.Rejected:
                Add(atUtc, rejected: 1);
                break;
            case MessageStatus.Failed:
                Add(atUtc, failed: 1);
                break;
        }
    }

    public void Write(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (hours.Count == 0)
        {
            return;
        }

        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT INTO HourlyActivity (Hour, Received, Delivered, Rejected, Failed) VALUES ($hour, $received, $delivered, $rejected, $failed)
            ON CONFLICT (Hour) DO UPDATE SET Received = Received + excluded.Received, Delivered = Delivered + excluded.Delivered,
                Rejected = Rejected + excluded.Rejected, Failed = Failed + excluded.Failed
            """;
        var hour = upsert.Parameters.Add("$hour", SqliteType.Text);
        var received = upsert.Parameters.Add("$received", SqliteType.Integer);
        var delivered = upsert.Parameters.Add("$delivered", SqliteType.Integer);
        var rejected = upsert.Parameters.Add("$rejected", SqliteType.Integer);
        var failed = upsert.Parameters.Add("$failed", SqliteType.Integer);
        foreach (var (start, counts) in hours)
        {
            hour.Value = start;
            (received.Value, delivered.Value, rejected.Value, failed.Value) = counts;
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
