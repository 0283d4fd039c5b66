using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Userlist.Core.Telemetry;

namespace Userlist.Dashboard.Operations;

/// <summary>
/// Exports the relay's metrics with OpenTelemetry: the relay's own meter and ASP.NET Core's, as
/// Prometheus text at <c>/metrics</c> and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, over OTLP.
/// </summary>
public static class MetricsSetup
{
    public const string ScrapePath = "/metrics";

    public static IServiceCollection AddRelayMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName);
        if (!IsEnabled(configuration))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("userlist-relay"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(RelayMetrics.MeterName)
                    // Request duration and active requests per route, from ASP.NET Core's own meters.
                    .AddAspNetCoreInstrumentation()
                    // The gauges query storage, so they exist only while something exports them.
                    .AddInstrumentation(provider => provider.GetRequiredService<RelayGauges>())
                    .AddPrometheusExporter();
                ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
                    builder.AddView(OnlyThisHost(provider.GetRequiredService<IMeterFactory>())));

                // The exporter reads the endpoint, headers and protocol from the standard OTEL_* variables itself.
                if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>Prometheus text at <c>/metrics</c>, without sign-in, as scrapers expect (it holds counts, no secrets).</summary>
    public static IEndpointRouteBuilder MapRelayMetrics(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            endpoints.MapPrometheusScrapingEndpoint(ScrapePath).AllowAnonymous();
        }

        return endpoints;
    }

    /// <summary>
    /// OpenTelemetry listens to meters by name across the whole process, so two hosts in one
    /// process (the tests run several) would each export the other's counts: drop instruments
    /// from any other host's meter factory. Meters outside a factory (the runtime's) are kept.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory ownMeters) =>
        instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, ownMeters) ? MetricStreamConfiguration.Drop : null;

    private static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>()?.Enabled ?? true;
}
