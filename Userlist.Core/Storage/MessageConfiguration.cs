using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Userlist.Core.Storage;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> message)
    {
        message.ToTable("Messages");
        message.Property(m => m.SourceId).HasMaxLength(64);
        message.Property(m => m.MessageId).HasMaxLength(100);
        message.Property(m => m.Type).HasMaxLength(32);
        message.Property(m => m.Status).HasConversion<int>();

        // Idempotent ingest: a client that resends a call (same messageId, same source) gets it stored once.
        message.HasIndex(m => new { m.SourceId, m.MessageId }).IsUnique();

        // The event log pages newest first by Id; each filter gets an index that ends in Id so a
        // filtered page is an index range scan, not a sort.
        message.HasIndex(m => new { m.Status, m.Id });
        message.HasIndex(m => new { m.Type, m.Id });
        message.HasIndex(m => new { m.UserId, m.Id });
        message.HasIndex(m => new { m.GroupId, m.Id });
        message.HasIndex(m => new { m.AnonymousId, m.Id });
        message.HasIndex(m => new { m.Event, m.Id });
        message.HasIndex(m => m.ReceivedAt);
    }
}
