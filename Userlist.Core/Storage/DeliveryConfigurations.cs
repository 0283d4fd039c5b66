using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Userlist.Core.Storage;

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> attempt)
    {
        attempt.ToTable("DeliveryAttempts");
        attempt.Property(a => a.Method).HasMaxLength(8);
        attempt.Property(a => a.Path).HasMaxLength(64);
        attempt.Property(a => a.Outcome).HasMaxLength(16);
        attempt.Property(a => a.RequestId).HasMaxLength(32);
        attempt.HasOne<Message>().WithMany(m => m.Attempts).HasForeignKey(a => a.MessageRowId).OnDelete(DeleteBehavior.Cascade);
        attempt.HasIndex(a => new { a.MessageRowId, a.Id });
        attempt.HasIndex(a => a.StartedAt);

        // The calls a merged request carried, for each one's page; requests of one call stay out of it.
        attempt.HasIndex(a => a.RequestId).HasFilter("\"RequestId\" IS NOT NULL");

        // The overview's "last errors from Userlist" without scanning every delivered attempt.
        attempt.HasIndex(a => a.Id).HasFilter("\"Outcome\" <> 'Delivered'").HasDatabaseName("IX_DeliveryAttempts_Errors");
    }
}

internal sealed class RelaySettingConfiguration : IEntityTypeConfiguration<RelaySetting>
{
    public void Configure(EntityTypeBuilder<RelaySetting> setting)
    {
        setting.ToTable("Settings");
        setting.HasKey(s => s.Name);
        setting.Property(s => s.Name).HasMaxLength(64);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("AuditLog");
        entry.Property(e => e.Operator).HasMaxLength(256);
        entry.Property(e => e.Action).HasMaxLength(32);
        entry.HasIndex(e => new { e.MessageRowId, e.Id }).HasFilter("\"MessageRowId\" IS NOT NULL");
    }
}

internal sealed class HourlyActivityConfiguration : IEntityTypeConfiguration<HourlyActivity>
{
    public void Configure(EntityTypeBuilder<HourlyActivity> activity)
    {
        activity.ToTable("HourlyActivity");
        activity.HasKey(a => a.Hour);
    }
}

internal sealed class DeliveredStateConfiguration : IEntityTypeConfiguration<DeliveredStateRow>
{
    public void Configure(EntityTypeBuilder<DeliveredStateRow> state)
    {
        state.ToTable("DeliveredStates");
        state.HasKey(s => s.Key);

        // Retention drops what is older than the window.
        state.HasIndex(s => s.DeliveredAt);
    }
}

internal sealed class IdentityLinkConfiguration : IEntityTypeConfiguration<IdentityLink>
{
    public void Configure(EntityTypeBuilder<IdentityLink> link)
    {
        link.ToTable("IdentityLinks");
        link.HasKey(l => l.AnonymousId);

        // An identify of a user makes every link to that user known, and releases their waiting calls.
        link.HasIndex(l => l.UserId);
    }
}
