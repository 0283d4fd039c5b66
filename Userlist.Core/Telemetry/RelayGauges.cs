using System.Diagnostics.Metrics;

namespace Userlist.Core.Telemetry;

/// <summary>Calls waiting in one status: how many, and how long the oldest has waited (zero when none waits).</summary>
public readonly record struct QueueFigure(string Status, long Depth, TimeSpan OldestAge);

/// <summary>Where the queue gauges read from; answered from an index or a cache, never a scan.</summary>
public interface IQueueFigures
{
    IReadOnlyList<QueueFigure> Read();
}

/// <summary>Where the sending-rate gauges read from: in-memory figures.</summary>
public interface ISendingRate
{
    int SentLastMinute { get; }

    int LimitPerMinute { get; }
}

/// <summary>
/// The relay's observable gauges, read only when a scrape or an export collects them. Kept apart
/// from <see cref="RelayMetrics"/> so that the hot paths' instruments don't pull in storage, and so
/// that nothing is queried at all while metrics are off (the host creates this only when they are on).
/// </summary>
public sealed class RelayGauges
{
    public RelayGauges(IMeterFactory meters, IQueueFigures queue, ISendingRate sending)
    {
        var meter = meters.Create(RelayMetrics.MeterName);
        meter.CreateObservableGauge("userlist_relay.queue.depth",
            () => queue.Read().Select(f => new Measurement<long>(f.Depth, new KeyValuePair<string, object?>("status", f.Status))),
            "{call}", "Calls waiting in each delivery status");
        meter.CreateObservableGauge("userlist_relay.queue.oldest_age",
            () => queue.Read().Select(f => new Measurement<double>(f.OldestAge.TotalSeconds, new KeyValuePair<string, object?>("status", f.Status))),
            "s", "How long ago the oldest call in each delivery status was received (0 when none)");
        meter.CreateObservableGauge("userlist_relay.push_api.requests_last_minute", () => sending.SentLastMinute,
            "{request}", "Requests sent to Userlist in the last 60 seconds, to set against the limit");
        meter.CreateObservableGauge("userlist_relay.push_api.requests_limit", () => sending.LimitPerMinute,
            "{request}", "Userlist's limit per minute (Userlist:RequestsPerMinute)");
    }
}
