using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Userlist.Core.Storage.Postgres;

public static class PostgresStorage
{
    /// <summary>PostgreSQL: any number of relay instances on one database, one of them dispatching.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services)
    {
        services.AddSingleton<PostgresConnections>();
        services.AddSingleton<IStorageConnections>(provider => provider.GetRequiredService<PostgresConnections>());
        services.AddDbContextFactory<PostgresRelayDbContext>((provider, db) =>
            db.UseNpgsql(provider.GetRequiredService<PostgresConnections>().DataSource));
        services.AddSingleton<IDbContextFactory<RelayDbContext>, RelayContexts<PostgresRelayDbContext>>();

        services.AddSingleton<MessageWriter, PostgresMessageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageWriter>());
        services.AddHostedService<PostgresSearchIndexer>();
        services.AddSingleton<ISearchIndex, PostgresSearchIndex>();
        services.AddSingleton<ICallClaims, PostgresCallClaims>();
        services.AddSingleton<PostgresDispatcherElection>();
        services.AddSingleton<IDispatcherRole>(provider => provider.GetRequiredService<PostgresDispatcherElection>());
        services.AddHostedService(provider => provider.GetRequiredService<PostgresDispatcherElection>());
        return services;
    }
}
