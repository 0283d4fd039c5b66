using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Userlist.Core.Segment;
using Userlist.Core.Settings;
using Userlist.Core.Storage;

namespace Userlist.Core;

public static class DependencyInjection
{
    /// <summary>The relay without the web: options, storage, ingest.</summary>
    public static IServiceCollection AddRelayCore(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .Configure<IConfiguration>((storage, configuration) =>
                storage.ConnectionString = configuration.GetConnectionString("Userlist") ?? storage.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName);
        services.AddOptions<UserlistOptions>().BindConfiguration(UserlistOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddTimeProvider();
        services.AddDbContextFactory<RelayDbContext>((provider, db) =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            db.UseSqlite(storage.ConnectionString).AddInterceptors(new SqlitePragmas(storage.WriteTimeoutSeconds * 1000));
        });
        services.AddHostedService<DatabaseInitializer>();

        services.AddSingleton<MessageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageWriter>());
        services.AddHostedService<WalCheckpointer>();
        services.AddSingleton<WriteKeyDirectory>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<MessageStatistics>();
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
