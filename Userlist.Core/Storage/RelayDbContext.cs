using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

public sealed class RelayDbContext(DbContextOptions<RelayDbContext> options) : DbContext(options)
{
    public DbSet<Message> Messages => Set<Message>();

    public DbSet<WriteKey> WriteKeys => Set<WriteKey>();

    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();

    public DbSet<RelaySetting> Settings => Set<RelaySetting>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public DbSet<HourlyActivity> HourlyActivity => Set<HourlyActivity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RelayDbContext).Assembly);
}
