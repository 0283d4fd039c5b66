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
        attempt.HasOne<Message>().WithMany(m => m.Attempts).HasForeignKey(a => a.MessageRowId).OnDelete(DeleteBehavior.Cascade);
        attempt.HasIndex(a => new { a.MessageRowId, a.Id });
        attempt.HasIndex(a => a.StartedAt);
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
