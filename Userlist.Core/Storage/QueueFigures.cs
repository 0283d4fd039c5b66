using Userlist.Core.Telemetry;

namespace Userlist.Core.Storage;

/// <summary>
/// Depth and oldest age of the calls waiting for delivery, for the queue gauges. Every figure is
/// a seek on the (Status, Id) index: the count stops at <see cref="ExactUpTo"/> rows and, past it,
/// is estimated from the Id range, so a scrape costs the same on a million-call backlog as on an
/// empty queue. Read at most once a second, whatever the number of scrapers and exporters.
/// </summary>
public sealed class QueueFigures(IStorageConnections connections, TimeProvider time) : IQueueFigures
{
    /// <summary>Rows counted one by one at most per status (a few milliseconds of index walk).</summary>
    public const int ExactUpTo = 100_000;

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private static readonly (MessageStatus Status, string Tag)[] Waiting =
        [(MessageStatus.Pending, "pending"), (MessageStatus.Delivering, "delivering"), (MessageStatus.Retrying, "retrying")];

    private readonly Lock gate = new();
    private IReadOnlyList<QueueFigure> last = [];
    private long readAt = long.MinValue;

    public IReadOnlyList<QueueFigure> Read()
    {
        lock (gate)
        {
            if (readAt != long.MinValue && time.GetElapsedTime(readAt) < CacheFor)
            {
                return last;
            }

            last = Query();
            readAt = time.GetTimestamp();
            return last;
        }
    }

    private List<QueueFigure> Query()
    {
        using var connection = connections.Open();
        using var command = connection.Command(null, """
            SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM "Messages" WHERE "Status" = @status LIMIT @cap) AS counted),
                   (SELECT "Id" FROM "Messages" WHERE "Status" = @status ORDER BY "Id" LIMIT 1),
                   (SELECT "Id" FROM "Messages" WHERE "Status" = @status ORDER BY "Id" DESC LIMIT 1),
                   (SELECT "ReceivedAt" FROM "Messages" WHERE "Status" = @status ORDER BY "Id" LIMIT 1)
            """);
        command.Set("cap", ExactUpTo);
        var now = time.GetUtcNow().UtcDateTime;
        var figures = new List<QueueFigure>(Waiting.Length);
        foreach (var (value, tag) in Waiting)
        {
            command.Set("status", (int)value);
            using var reader = command.ExecuteReader();
            reader.Read();
            var counted = reader.GetInt64(0);
            var depth = counted < ExactUpTo || reader.IsDBNull(1) ? counted : Math.Max(counted, reader.GetInt64(2) - reader.GetInt64(1) + 1);
            var oldest = reader.IsDBNull(3) ? now : DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc);
            figures.Add(new QueueFigure(tag, depth, oldest < now ? now - oldest : TimeSpan.Zero));
        }

        return figures;
    }
}
