using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Userlist.Core.Storage;

internal sealed class AlertStateConfiguration : IEntityTypeConfiguration<AlertState>
{
    public void Configure(EntityTypeBuilder<AlertState> state)
    {
        state.ToTable("AlertStates");
        state.HasKey(s => s.Condition);
        state.Property(s => s.Condition).HasMaxLength(32);
        state.Property(s => s.Detail).HasMaxLength(1000);
    }
}

internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDelivery>
{
    public void Configure(EntityTypeBuilder<AlertDelivery> delivery)
    {
        delivery.ToTable("AlertDeliveries");
        delivery.Property(d => d.Channel).HasMaxLength(16);
        delivery.Property(d => d.Condition).HasMaxLength(32);
        delivery.Property(d => d.Kind).HasMaxLength(16);
        delivery.Property(d => d.Status).HasMaxLength(16);
        delivery.Property(d => d.Text).HasMaxLength(2000);
        delivery.Property(d => d.Error).HasMaxLength(500);
        // The outbox's due alerts without reading the sent ones.
        delivery.HasIndex(d => d.NextAttemptAt).HasFilter("\"Status\" = 'pending'");
    }
}

internal sealed class RefusedIngestCountConfiguration : IEntityTypeConfiguration<RefusedIngestCount>
{
    public void Configure(EntityTypeBuilder<RefusedIngestCount> count)
    {
        count.ToTable("RefusedIngest");
        count.HasKey(c => new { c.Hour, c.KeyHint, c.Reason });
        count.Property(c => c.KeyHint).HasMaxLength(8);
        count.Property(c => c.Reason).HasMaxLength(16);
    }
}
