using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Userlist.Core.Telemetry;

/// <summary>
/// The relay's counters and histograms, on one meter from the host's <see cref="IMeterFactory"/>
/// (so two hosts in one process, as in tests, never share them). Recording is free while nothing
/// listens (<c>Metrics:Enabled=false</c>) and allocation-free with up to three tags when something does.
/// Names follow OpenTelemetry's conventions; the README lists them with their labels.
/// </summary>
public sealed class RelayMetrics
{
    public const string MeterName = "Userlist.Relay";

    // Explicit buckets: the SDK's defaults (0 to 10,000) suit milliseconds, not seconds or batch sizes.
    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly long[] SizeBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];

    private readonly Counter<long> callsReceived;
    private readonly Histogram<double> ingestDuration;
    private readonly Histogram<long> commitSize;
    private readonly Histogram<double> commitDuration;
    private readonly Counter<long> deliveryAttempts;
    private readonly Histogram<double> pushApiDuration;
    private readonly Counter<long> deliveryOutcomes;
    private readonly Counter<long> resentAfterCrash;
    private readonly Counter<long> coalesced;
    private readonly Counter<long> skippedUnchanged;

    public RelayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        callsReceived = meter.CreateCounter<long>("userlist_relay.calls.received", "{call}",
            "Calls received on the ingest endpoints, by call type and what became of them");
        ingestDuration = meter.CreateHistogram("userlist_relay.ingest.duration", "s",
            "From an ingest request's arrival to its answer (for accepted calls: once they are committed)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        commitSize = meter.CreateHistogram("userlist_relay.group_commit.size", "{call}",
            "Calls (ingest) or delivery outcomes (delivery) written per group-commit transaction",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        commitDuration = meter.CreateHistogram("userlist_relay.group_commit.duration", "s",
            "Time one group-commit transaction took, from its first write to its durable commit",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        deliveryAttempts = meter.CreateCounter<long>("userlist_relay.delivery.attempts", "{request}",
            "Requests sent to Userlist's Push API to deliver calls, by classified outcome and HTTP status code");
        pushApiDuration = meter.CreateHistogram("userlist_relay.push_api.duration", "s",
            "Time Userlist's Push API took to answer a delivery request (or to time out)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        deliveryOutcomes = meter.CreateCounter<long>("userlist_relay.delivery.outcomes", "{call}",
            "Claimed calls whose delivery run ended, by the status they moved to");
        resentAfterCrash = meter.CreateCounter<long>("userlist_relay.delivery.resent_after_crash", "{call}",
            "Calls left on their way to Userlist by a relay that stopped without a planned stop, due again at start: any that had reached Userlist arrive twice");
        coalesced = meter.CreateCounter<long>("userlist_relay.delivery.coalesced", "{call}",
            "Calls sent to Userlist merged with other calls of their user into one request (Delivery:Coalesce); each merged request counts once in delivery.attempts");
        skippedUnchanged = meter.CreateCounter<long>("userlist_relay.delivery.skipped_unchanged", "{call}",
            "Identify and group calls Skipped because they would set nothing different from what was last delivered for their user or company (Delivery:SkipUnchangedHours)");
    }

    /// <summary>Calls of one type that came to the same outcome; counted through <see cref="CallTally"/>.</summary>
    internal void CallsReceived(string callType, string outcome, long count) =>
        callsReceived.Add(count, new("call.type", callType), new("outcome", outcome));

    /// <param name="outcome">The answer: accepted, bad_request, unauthorized, unavailable.</param>
    public void IngestAnswered(string outcome, TimeSpan elapsed) =>
        ingestDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="queue">Which group commit: ingest or delivery.</param>
    public void GroupCommitted(string queue, long size, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("queue", queue);
        commitSize.Record(size, tag);
        commitDuration.Record(elapsed.TotalSeconds, tag);
    }

    /// <param name="outcome">delivered, rejected, transient or unauthorized.</param>
    /// <param name="statusCode">Userlist's HTTP status; null when it never answered.</param>
    /// <param name="error">Why there is no status code (timeout, connection_error); null otherwise.</param>
    public void DeliveryAttempted(string outcome, int? statusCode, string? error, TimeSpan elapsed)
    {
        var tags = new TagList { { "outcome", outcome } };
        if (statusCode is { } code)
        {
            tags.Add("http.response.status_code", code);
        }
        else
        {
            tags.Add("error.type", error);
        }

        deliveryAttempts.Add(1, tags);
        pushApiDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <param name="status">The status the calls moved to: delivered, rejected, skipped, retrying, failed, pending.</param>
    public void DeliveriesEnded(string status, long count)
    {
        if (count > 0)
        {
            deliveryOutcomes.Add(count, new KeyValuePair<string, object?>("status", status));
        }
    }

    /// <summary>Calls that went out merged into one request: this less the merged requests is the requests saved.</summary>
    public void CallsCoalesced(long count) => coalesced.Add(count);

    /// <summary>Calls Skipped as unchanged: each is a request saved.</summary>
    public void CallsSkippedUnchanged(long count) => skippedUnchanged.Add(count);

    /// <summary>Calls a crashed run left Delivering, made due again at start: the bound on duplicates sent.</summary>
    public void ResentAfterCrash(long count)
    {
        if (count > 0)
        {
            resentAfterCrash.Add(count);
        }
    }
}
