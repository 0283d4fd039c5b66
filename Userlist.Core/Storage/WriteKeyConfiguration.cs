using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Userlist.Core.Storage;

internal sealed class WriteKeyConfiguration : IEntityTypeConfiguration<WriteKey>
{
    public void Configure(EntityTypeBuilder<WriteKey> writeKey)
    {
        writeKey.ToTable("WriteKeys");
        writeKey.Property(k => k.Name).HasMaxLength(200);
        writeKey.Property(k => k.KeyHash).HasMaxLength(64);
        writeKey.Property(k => k.KeyHint).HasMaxLength(8);
        writeKey.HasIndex(k => k.KeyHash).IsUnique();
    }
}
