using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Core.Ingest;

/// <summary>
/// A write key as the dashboard lists it: never its value. <paramref name="LastRefusedAt"/> is the
/// latest request refused with a key ending in the same four characters (revoked, or rate-limited).
/// </summary>
public sealed record WriteKeySummary(int Id, string Name, string Hint, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt, DateTime? LastRefusedAt = null);

/// <summary>Creates, lists and revokes the write keys kept in the database.</summary>
public sealed class WriteKeyAdmin(IDbContextFactory<RelayDbContext> databases, WriteKeyDirectory directory, IngestRefusals refusals, AuditLog audit, TimeProvider time)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Creates a key and returns its value: the only time it is available, only its hash is stored.</summary>
    public Task<string> CreateAsync(string name, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        name = name.Trim();
        if (name.Length is 0 or > 200)
        {
            throw new ArgumentException("A write key needs a name of 1 to 200 characters", nameof(name));
        }

        var value = RandomNumberGenerator.GetString(Alphabet, 32);
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.WriteKeys.Add(new WriteKey
            {
                Name = name,
                KeyHash = Convert.ToHexStringLower(WriteKeyDirectory.Hash(value)),
                KeyHint = value[^4..],
                CreatedAt = time.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        directory.Invalidate();
        await audit.RecordAsync(operatorName, "Write key", $"Created write key \"{name}\" (…{value[^4..]})", null, cancellationToken);
        return value;
    });

    public Task<IReadOnlyList<WriteKeySummary>> ListAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<WriteKeySummary>>(async () =>
    {
        var refused = await refusals.LastRefusedByHintAsync(cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var keys = await db.WriteKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Id)
            .Select(k => new WriteKeySummary(k.Id, k.Name, k.KeyHint, k.CreatedAt, k.RevokedAt, k.LastUsedAt, null))
            .ToListAsync(cancellationToken);
        return keys.Select(k => refused.TryGetValue(k.Hint, out var at) ? k with { LastRefusedAt = at } : k).ToList();
    });

    /// <summary>Refuses the key from now on; calls it already sent stay stored.</summary>
    public Task RevokeAsync(int id, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var key = await db.WriteKeys.FirstOrDefaultAsync(k => k.Id == id && k.RevokedAt == null, cancellationToken);
        if (key is null)
        {
            return;
        }

        key.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate();
        await audit.RecordAsync(operatorName, "Write key", $"Revoked write key \"{key.Name}\" (…{key.KeyHint})", null, cancellationToken);
    });
}
