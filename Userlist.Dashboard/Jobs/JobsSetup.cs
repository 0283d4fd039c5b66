using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Dashboard.Jobs;

public static class JobsSetup
{
    /// <summary>A nudged job is picked up within a second; the storages' default polls every 15 s.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Hangfire on its own SQLite file next to the relay's database, or in the schema <c>hangfire</c>
    /// of the relay's PostgreSQL database, shared by every instance. The storage is a DI singleton
    /// handed to Hangfire (never the static JobStorage.Current), so several hosts can run in one
    /// process, as the tests do. The job activator is likewise this host's own: jobs are built
    /// from this host's services, never from the static one another host set last.
    /// </summary>
    public static IServiceCollection AddRelayJobs(this IServiceCollection services, StorageProvider storage)
    {
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<JobStorage>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage == StorageProvider.Postgres ? PostgresJobs(options) : SqliteJobs(options);
        });
        services.AddHangfire((provider, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostBoundHangfireLogs(provider.GetRequiredService<ILoggerFactory>()))
            .UseStorage(provider.GetRequiredService<JobStorage>())
            .UseActivator(provider.GetRequiredService<JobActivator>()));
        // On PostgreSQL the delivery queue is the dispatcher's alone (DispatcherJobServer).
        string[] queues = storage == StorageProvider.Postgres ? ["default"] : ["delivery", "default"];
        services.AddHangfireServer((provider, server) => ConfigureServer(server, provider, queues, workers: 4));
        if (storage == StorageProvider.Postgres)
        {
            services.AddHostedService<DispatcherJobServer>();
        }

        services.AddOptions<HostOptions>().Configure<IServiceProvider>((host, provider) =>
            host.ShutdownTimeout = PlannedStopAllowance(provider) + TimeSpan.FromSeconds(15));
        services.AddHostedService<RecurringJobs>();
        return services;
    }

    /// <summary>
    /// A job server's settings. A planned stop waits for the dispatch job's requests in flight (each
    /// bounded by the Push API timeout) to finish and be recorded, so that none is sent again after the restart.
    /// </summary>
    internal static void ConfigureServer(BackgroundJobServerOptions server, IServiceProvider provider, string[] queues, int workers)
    {
        server.Queues = queues;
        server.WorkerCount = workers;
        server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        server.ShutdownTimeout = PlannedStopAllowance(provider);
    }

    /// <summary>How long a planned stop may take to let requests to Userlist finish: their timeout and a margin to record them.</summary>
    private static TimeSpan PlannedStopAllowance(IServiceProvider provider)
    {
        try
        {
            return TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<UserlistOptions>>().Value.TimeoutSeconds + 5);
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException)
        {
            // A bad setting stops the start with its own message; the host still needs a timeout to stop with.
            return TimeSpan.FromSeconds(new UserlistOptions().TimeoutSeconds + 5);
        }
    }

    /// <summary>Hangfire's dashboard at /hangfire, for signed-in operators, without its storage path.</summary>
    public static IEndpointRouteBuilder MapRelayJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new HangfireDashboardAccess()],
            DisplayStorageConnectionString = false,
            AppPath = "/",
            DashboardTitle = "Userlist Relay jobs",
        }).RequireAuthorization();
        return endpoints;
    }

    private static SQLiteStorage SqliteJobs(StorageOptions storage) =>
        new(HangfireDatabasePath(storage), new SQLiteStorageOptions { QueuePollInterval = PollInterval });

    /// <summary>
    /// A job that runs past the invisibility timeout is fetched again by another worker unless the
    /// timeout slides while it runs: the dispatch job can run for hours.
    /// </summary>
    private static PostgreSqlStorage PostgresJobs(StorageOptions storage)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = PollInterval,
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(storage.ConnectionString, options), options);
    }

    /// <summary>
    /// Next to the relay's database; the folder is made here because the dashboard's mapping opens
    /// the storage before the host starts (and owner-only, with the relay's files, before anything opens them).
    /// </summary>
    private static string HangfireDatabasePath(StorageOptions storage)
    {
        DataFiles.CreateOwnerOnly(storage);
        return DataFiles.JobsDatabasePath(storage);
    }
}
