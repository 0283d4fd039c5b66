using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Core.Ingest;

/// <summary>
/// The write keys ingest accepts: those in configuration and those created in the dashboard.
/// Keys are compared as SHA-256 hashes in constant time, against every known key, so neither
/// timing nor a stored row reveals a key.
/// </summary>
public sealed class WriteKeyDirectory(
    IOptionsMonitor<IngestOptions> options,
    IDbContextFactory<RelayDbContext> databases,
    TimeProvider time)
{
    /// <summary>Dashboard changes on another instance reach this one within this time.</summary>
    private static readonly TimeSpan StoredKeysLifetime = TimeSpan.FromSeconds(30);

    /// <summary>A stored key's "last used" is written at most this often, off the request's path.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim loading = new(1, 1);
    private readonly ConcurrentDictionary<int, DateTimeOffset> lastUseRecorded = new();
    private volatile KnownKeys? known;

    public async Task<WriteKeySource?> FindAsync(string presentedKey, CancellationToken cancellationToken)
    {
        var keys = await KnownAsync(cancellationToken);
        var hash = Hash(presentedKey);
        WriteKeySource? match = null;
        foreach (var (keyHash, source) in keys.Entries)
        {
            if (CryptographicOperations.FixedTimeEquals(keyHash, hash))
            {
                match = source;
            }
        }

        if (match?.StoredKeyId is { } keyId)
        {
            RecordUse(keyId);
        }

        return match;
    }

    /// <summary>Forget the cached stored keys, after one is created or revoked.</summary>
    public void Invalidate() => known = null;

    private void RecordUse(int keyId)
    {
        var now = time.GetUtcNow();
        if (lastUseRecorded.TryGetValue(keyId, out var recorded) && now - recorded < LastUsedResolution)
        {
            return;
        }

        lastUseRecorded[keyId] = now;
        _ = Task.Run(async () =>
        {
            try
            {
                await using var db = await databases.CreateDbContextAsync();
                await db.WriteKeys.Where(k => k.Id == keyId).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now.UtcDateTime));
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException)
            {
                // "Last used" is informative; the next use records it again.
                lastUseRecorded.TryRemove(keyId, out _);
            }
        });
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private async Task<KnownKeys> KnownAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (known is { } cached && now - cached.LoadedAt < StoredKeysLifetime)
        {
            return cached;
        }

        await loading.WaitAsync(cancellationToken);
        try
        {
            if (known is { } fresh && now - fresh.LoadedAt < StoredKeysLifetime)
            {
                return fresh;
            }

            var entries = ConfiguredKeys().ToList();
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var stored = await db.WriteKeys.AsNoTracking().Where(k => k.RevokedAt == null)
                .Select(k => new { k.Id, k.Name, k.KeyHash }).ToListAsync(cancellationToken);
            entries.AddRange(stored.Select(k => (Convert.FromHexString(k.KeyHash), new WriteKeySource($"key-{k.Id}", k.Name, k.Id))));

            var loaded = new KnownKeys(entries, now);
            known = loaded;
            return loaded;
        }
        finally
        {
            loading.Release();
        }
    }

    /// <summary>
    /// A stored call's source as the dashboard names it: the write key's name (a revoked key's
    /// too), "sandbox" or "webhook"; the id itself when the key is no longer known.
    /// </summary>
    public Task<string> NameOfAsync(string sourceId, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        if (sourceId == WriteKeySource.Sandbox.Id || sourceId == WriteKeySource.Webhook.Id)
        {
            return sourceId;
        }

        if (sourceId.StartsWith("key-", StringComparison.Ordinal) && int.TryParse(sourceId.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture, out var keyId))
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            return await db.WriteKeys.Where(k => k.Id == keyId).Select(k => k.Name).FirstOrDefaultAsync(cancellationToken) ?? sourceId;
        }

        return ConfiguredKeys().Select(key => key.Source).FirstOrDefault(source => source.Id == sourceId)?.Name ?? sourceId;
    });

    private IEnumerable<(byte[] Hash, WriteKeySource Source)> ConfiguredKeys() =>
        options.CurrentValue.WriteKeys
            .Where(key => !string.IsNullOrWhiteSpace(key))
            .Select((key, index) =>
            {
                var hash = Hash(key);
                return (hash, new WriteKeySource($"config-{Convert.ToHexStringLower(hash)[..12]}", $"Configured key {index + 1}"));
            });

    private sealed record KnownKeys(List<(byte[] Hash, WriteKeySource Source)> Entries, DateTimeOffset LoadedAt);
}
