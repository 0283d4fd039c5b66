using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Userlist.Core.Alerts;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.PushApi;
using Userlist.Core.Storage;
using Userlist.Core.Storage.Postgres;
using Userlist.Core.Storage.Sqlite;
using Userlist.Core.Telemetry;

namespace Userlist.Core;

public static class DependencyInjection
{
    /// <summary>
    /// The relay without the web: options, storage (the provider <c>Storage:Provider</c> names), ingest.
    /// The host supplies <see cref="BackupSources"/> for SQLite's backups.
    /// </summary>
    public static IServiceCollection AddRelayCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .Configure<IConfiguration>((storage, configuration) =>
                storage.ConnectionString = configuration.GetConnectionString("Userlist") ?? storage.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<UserlistOptions>().BindConfiguration(UserlistOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // The rules across keys, at start as well as when the dashboard saves an override.
        services.AddSingleton<IValidateOptions<UserlistOptions>, UserlistOptionsValidator>();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddSingleton<SettingsOverrides>();
        services.AddSingleton<IPostConfigureOptions<UserlistOptions>>(provider => provider.GetRequiredService<SettingsOverrides>());
        services.AddSingleton<IPostConfigureOptions<DeliveryOptions>>(provider => provider.GetRequiredService<SettingsOverrides>());
        services.AddSingleton<IOptionsChangeTokenSource<UserlistOptions>>(provider => provider.GetRequiredService<SettingsOverrides>());
        services.AddSingleton<IOptionsChangeTokenSource<DeliveryOptions>>(provider => provider.GetRequiredService<SettingsOverrides>());

        services.TryAddTimeProvider();
        services.AddRelayTelemetry();
        // The provider's own services first: on SQLite, its lock and file come before anything opens the database.
        switch (StorageOptions.ProviderFrom(configuration))
        {
            case StorageProvider.Postgres:
                services.AddPostgresStorage();
                break;
            default:
                services.AddSqliteStorage();
                break;
        }

        services.AddHostedService<DatabaseInitializer>();
        services.AddSingleton<OrphanedClaims>();
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<ISettingsStore, SettingsStore>();
        services.AddSingleton<WriteKeyDirectory>();
        services.AddSingleton<WriteKeyAdmin>();
        services.AddSingleton<IngestService>();
        // Refused requests are counted in memory and written (and logged) once a minute, off ingest's path.
        services.AddSingleton<IngestRefusals>();
        services.AddHostedService<RefusedIngestFlusher>();
        services.AddSingleton<Sandbox>();
        services.AddSingleton<MessageStatistics>();
        services.AddSingleton<MessageExport>();
        services.AddSingleton<MessageQueries>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ISettingsAudit>(provider => provider.GetRequiredService<AuditLog>());
        services.AddRelayDelivery();
        services.AddRelayAlerts();
        return services;
    }

    /// <summary>Mapping and delivery to Userlist; the host supplies Hangfire and an <see cref="ISecretProtector"/>.</summary>
    private static void AddRelayDelivery(this IServiceCollection services)
    {
        // The client lives as long as the dispatcher (a singleton): one pooled handler that renews
        // its connections itself, instead of the factory's handler rotation.
        services.AddHttpClient<PushApiClient>((provider, http) =>
                http.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<UserlistOptions>>().Value.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            // HttpClient's own logging writes four Information lines per request; the dispatcher logs each outcome itself.
            .RemoveAllLoggers()
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<DeliverySettings>();
        services.AddSingleton<SendPacer>();
        services.AddSingleton<RetryPolicy>();
        services.AddSingleton<DeliveryRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryRecorder>());
        services.AddSingleton<DeliveredStateView>();
        services.AddSingleton<IdentityStitching>();
        services.AddSingleton<DeliveryDispatcher>();
        services.AddSingleton<DispatchSignal>();
        // Once the dispatcher's role is settled: new calls, and those the last run left waiting, wake delivery.
        services.AddHostedService<DispatchOnCommit>();
        services.AddTransient<DispatchJob>();
        services.AddTransient<RetentionJob>();
        services.AddTransient<WaitingExpiryJob>();
        services.AddSingleton<RetryService>();
    }

    /// <summary>Alert conditions, their state and outbox, and the two channels (a webhook, email over SMTP).</summary>
    private static void AddRelayAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AlertSettings>();
        // No HttpClient logging: a webhook's URL (Slack's, for one) is its secret.
        services.AddHttpClient<WebhookAlerts>(http => http.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();
        services.AddSingleton<EmailAlerts>();
        services.AddSingleton<AlertOutbox>();
        services.AddSingleton<AlertMonitor>();
        services.AddTransient<AlertsJob>();
    }

    /// <summary>
    /// The relay's instruments, always there (recording costs nothing while nobody listens); the
    /// gauges, which query storage, are created only by a host that exports them.
    /// </summary>
    private static void AddRelayTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<RelayMetrics>();
        services.AddSingleton<IQueueFigures, QueueFigures>();
        services.AddSingleton<ISendingRate>(provider => provider.GetRequiredService<SendPacer>());
        services.AddSingleton<RelayGauges>();
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
