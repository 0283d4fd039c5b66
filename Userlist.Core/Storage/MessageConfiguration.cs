using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Userlist.Core.Storage;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> message)
    {
        // Index filters quote their column names: the same SQL then means the same on SQLite and on
        // PostgreSQL, which folds unquoted names to lower case.
        message.ToTable("Messages");
        message.Property(m => m.SourceId).HasMaxLength(64);
        message.Property(m => m.MessageId).HasMaxLength(100);
        message.Property(m => m.Type).HasMaxLength(32);
        message.Property(m => m.Status).HasConversion<int>();

        // Idempotent ingest: a client that resends a call (same messageId, same source) gets it stored once.
        message.HasIndex(m => new { m.SourceId, m.MessageId }).IsUnique();

        // The event log pages newest first by Id. Every index costs each insert, and ingest is the
        // hot path (measured: the group index alone took a quarter of batch throughput), so only
        // the dispatcher's lookups get one: pending work by status, per-user order by user id, and
        // anonymous ids for the calls that have one. Other filters scan Id downwards.
        message.HasIndex(m => new { m.Status, m.Id });
        message.HasIndex(m => new { m.UserId, m.Id });
        message.HasIndex(m => new { m.AnonymousId, m.Id }).HasFilter("\"AnonymousId\" IS NOT NULL");

        // The dispatcher's per-user order check: is an earlier call of this user Delivering or
        // Retrying? Only those rows are in it, so ingest's inserts (Pending) never touch it, and
        // the check is one seek instead of a walk through the user's whole history (the soak
        // found claims holding the write lock for seconds on a million-call backlog).
        message.HasIndex(m => new { m.UserId, m.Id }, "IX_Messages_InFlight").HasFilter("\"Status\" IN (1, 2)");

        // The same for company order: is an earlier group call for this company Delivering or
        // Retrying? Track calls carry a GroupId too (context.groupId) but never hold a company.
        message.HasIndex(m => new { m.GroupId, m.Id }, "IX_Messages_CompanyInFlight").HasFilter("\"Type\" = 'group' AND \"Status\" IN (1, 2)");
    }
}
