namespace Userlist.Dashboard.Operations;

public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>
    /// Export metrics (<c>/metrics</c>, and OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set).
    /// When false nothing listens, so recording costs nothing and the queue gauges never query.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
