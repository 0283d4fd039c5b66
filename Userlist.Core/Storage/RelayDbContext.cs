using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>
/// The relay's model, one for both providers. Each provider derives its own context only so that
/// its migrations (under Sqlite/ and Postgres/) are told apart; code asks for this one.
/// </summary>
public abstract class RelayDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Message> Messages => Set<Message>();

    public DbSet<WriteKey> WriteKeys => Set<WriteKey>();

    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();

    public DbSet<RelaySetting> Settings => Set<RelaySetting>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public DbSet<HourlyActivity> HourlyActivity => Set<HourlyActivity>();

    public DbSet<DeliveredStateRow> DeliveredStates => Set<DeliveredStateRow>();

    public DbSet<IdentityLink> IdentityLinks => Set<IdentityLink>();

    public DbSet<AlertState> AlertStates => Set<AlertState>();

    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    public DbSet<RefusedIngestCount> RefusedIngest => Set<RefusedIngestCount>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RelayDbContext).Assembly);
}

/// <summary>Hands out a provider's context as the <see cref="RelayDbContext"/> the rest of the code asks for.</summary>
internal sealed class RelayContexts<TContext>(IDbContextFactory<TContext> provider) : IDbContextFactory<RelayDbContext>
    where TContext : RelayDbContext
{
    public RelayDbContext CreateDbContext() => provider.CreateDbContext();

    public async Task<RelayDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await provider.CreateDbContextAsync(cancellationToken);
}
