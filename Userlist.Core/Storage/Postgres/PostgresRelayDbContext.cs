using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Userlist.Core.Storage.Postgres;

/// <summary>The relay's model on PostgreSQL, with the migrations in Postgres/Migrations.</summary>
public sealed class PostgresRelayDbContext(DbContextOptions<PostgresRelayDbContext> options) : RelayDbContext(options);

/// <summary>Lets `dotnet ef migrations add ... --context PostgresRelayDbContext` build the model without a server.</summary>
internal sealed class PostgresRelayDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRelayDbContext>
{
    public PostgresRelayDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRelayDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
