using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Userlist.Dashboard.Operators.Postgres;

/// <summary>
/// Operators on PostgreSQL, and the Data Protection key ring with them: every instance then reads
/// the stored Push API key and accepts a sign-in cookie another instance issued. Migrations in
/// Operators/Postgres/Migrations.
/// </summary>
public sealed class PostgresOperatorsDbContext(DbContextOptions<PostgresOperatorsDbContext> options)
    : OperatorsDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

/// <summary>Lets `dotnet ef migrations add ... --context PostgresOperatorsDbContext` build the model without a server.</summary>
internal sealed class PostgresOperatorsDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOperatorsDbContext>
{
    public PostgresOperatorsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOperatorsDbContext>()
            .UseNpgsql("Host=localhost;Database=design", npgsql => npgsql.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable))
            .Options);
}
