using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage;

/// <summary>One exported call: the log's columns, and the stored Segment call when asked for.</summary>
public sealed record ExportedCall(
    long Id, DateTime ReceivedAt, string? Type, string? UserId, string? AnonymousId, string? GroupId, string? Event,
    MessageStatus Status, string? StatusReason, int AttemptCount, string? Payload);

/// <summary>
/// Every call a filter selects, newest first as the log lists them, read a chunk at a time by Id
/// (keyset pages): memory stays at one chunk whatever the count, and each chunk is a short
/// statement of its own, so a slow download holds no read transaction open (which would stop
/// SQLite's checkpoints or PostgreSQL's vacuum). Calls stored after the first chunk have higher
/// Ids and are not included. Unlike the log, free text reaches every match, not the newest 10,001.
/// </summary>
public sealed class MessageExport(IDbContextFactory<RelayDbContext> databases, MessageQueries queries)
{
    /// <summary>Calls per read: large enough that a text search, evaluated once per chunk, is not repeated often.</summary>
    public const int ChunkSize = 1_000;

    public async IAsyncEnumerable<IReadOnlyList<ExportedCall>> ChunksAsync(
        MessageFilter filter, bool withPayload, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var matching = await StorageCalls.RunAsync(() => queries.FilteredAsync(db, filter, cancellationToken));
        var before = long.MaxValue;
        while (true)
        {
            var page = matching.Where(m => m.Id < before).OrderByDescending(m => m.Id).Take(ChunkSize);
            var chunk = await StorageCalls.RunAsync(() => (withPayload
                    ? page.Select(m => new ExportedCall(m.Id, m.ReceivedAt, m.Type, m.UserId, m.AnonymousId, m.GroupId, m.Event, m.Status, m.StatusReason, m.AttemptCount, m.Payload))
                    : page.Select(m => new ExportedCall(m.Id, m.ReceivedAt, m.Type, m.UserId, m.AnonymousId, m.GroupId, m.Event, m.Status, m.StatusReason, m.AttemptCount, null)))
                .ToListAsync(cancellationToken));
            if (chunk.Count > 0)
            {
                yield return chunk;
            }

            if (chunk.Count < ChunkSize)
            {
                yield break;
            }

            before = chunk[^1].Id;
        }
    }
}
