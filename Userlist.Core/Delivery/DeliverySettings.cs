using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>Why nothing is being sent right now, for the log and the dashboard.</summary>
public enum DeliveryBlock
{
    None,

    /// <summary>No Push API key is configured or saved: calls are stored and wait.</summary>
    NoPushKey,

    /// <summary>Userlist answered 401 to the current key; saving another key resumes delivery.</summary>
    KeyRefused,

    /// <summary>An operator paused delivery in the dashboard; calls are stored and wait.</summary>
    Paused,
}

/// <summary>The Push API key and URL in force (saved in the database, else configuration), and the 401 pause.</summary>
public sealed class DeliverySettings(
    IDbContextFactory<RelayDbContext> databases,
    IOptionsMonitor<UserlistOptions> options,
    ISecretProtector protector,
    DispatchSignal signal,
    AuditLog audit,
    TimeProvider time)
{
    public Uri PushApiUrl => new(options.CurrentValue.PushApiUrl.TrimEnd('/') + "/");

    /// <summary>The key to send with, or why there is none to use.</summary>
    public Task<(string? PushKey, DeliveryBlock Block)> SendingKeyAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<(string? PushKey, DeliveryBlock Block)>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var saved = await db.Settings.AsNoTracking().Where(s => s.Name == SettingKeys.PushKey || s.Name == SettingKeys.RefusedPushKeyHash || s.Name == SettingKeys.DeliveryPaused)
            .ToDictionaryAsync(s => s.Name, s => s.Value, cancellationToken);
        if (saved.ContainsKey(SettingKeys.DeliveryPaused))
        {
            return (null, DeliveryBlock.Paused);
        }

        var key = saved.GetValueOrDefault(SettingKeys.PushKey) is { Length: > 0 } stored
            ? protector.Unprotect(stored)
            : options.CurrentValue.PushKey;

        if (string.IsNullOrWhiteSpace(key))
        {
            return (null, DeliveryBlock.NoPushKey);
        }

        return saved.GetValueOrDefault(SettingKeys.RefusedPushKeyHash) == RefusalFingerprint(key) ? (null, DeliveryBlock.KeyRefused) : (key, DeliveryBlock.None);
    });

    /// <summary>The key in force, masked to its last four characters, and where it comes from; null when none is set.</summary>
    public Task<(string Masked, string Source)?> PushKeyHintAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<(string Masked, string Source)?>(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var saved = await db.Settings.AsNoTracking().Where(s => s.Name == SettingKeys.PushKey).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
        var (key, source) = saved is { Length: > 0 }
            ? (protector.Unprotect(saved), "saved in the dashboard")
            : (options.CurrentValue.PushKey, "from configuration (Userlist:PushKey)");
        return string.IsNullOrWhiteSpace(key) ? null : (Mask(key), source);
    });

    /// <summary>Dots and the last four characters: enough to recognise a key, not to use it.</summary>
    public static string Mask(string key) => key.Length <= 8 ? new string('•', 8) : new string('•', 8) + key[^4..];

    /// <summary>Saves a new key (encrypted) and resumes delivery: a pause for a refused key ends with it.</summary>
    public Task SavePushKeyAsync(string pushKey, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await SaveAsync(SettingKeys.PushKey, protector.Protect(pushKey), cancellationToken);
        signal.Resume();
        await audit.RecordAsync(operatorName, "Push API key", $"Set the Push API key ({Mask(pushKey)})", null, cancellationToken);
    });

    /// <summary>Who paused delivery and when, or null while it runs.</summary>
    public Task<string?> PausedByAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Settings.AsNoTracking().Where(s => s.Name == SettingKeys.DeliveryPaused).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
    });

    /// <summary>Stops sending from the next pass on; calls keep being stored and wait as Pending.</summary>
    public Task PauseAsync(string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await SaveAsync(SettingKeys.DeliveryPaused, $"{operatorName} at {time.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm} UTC", cancellationToken);
        await audit.RecordAsync(operatorName, "Delivery", "Paused delivery", null, cancellationToken);
    });

    /// <summary>Ends an operator's pause and dispatches at once.</summary>
    public Task UnpauseAsync(string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await db.Settings.Where(s => s.Name == SettingKeys.DeliveryPaused).ExecuteDeleteAsync(cancellationToken);
        }

        signal.Resume();
        await audit.RecordAsync(operatorName, "Delivery", "Resumed delivery", null, cancellationToken);
    });

    /// <summary>Userlist answered 401 to this key: hold delivery until the key or the Push API URL changes.</summary>
    public Task MarkRefusedAsync(string pushKey, CancellationToken cancellationToken) =>
        StorageCalls.RunAsync(() => SaveAsync(SettingKeys.RefusedPushKeyHash, RefusalFingerprint(pushKey), cancellationToken));

    private async Task SaveAsync(string name, string value, CancellationToken cancellationToken)
    {
        // An upsert: two runs refused at once must not trip over each other's insert.
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Settings" ("Name", "Value", "UpdatedAt") VALUES ({name}, {value}, {now})
            ON CONFLICT ("Name") DO UPDATE SET "Value" = excluded."Value", "UpdatedAt" = excluded."UpdatedAt"
            """, cancellationToken);
    }

    /// <summary>
    /// A refusal is the answer of one URL to one key: after the URL changes, the key is tried
    /// there (by delivery and by Test connection) instead of being held on an older server's word.
    /// </summary>
    private string RefusalFingerprint(string key) => Fingerprint($"{PushApiUrl}\n{key}");

    /// <summary>A one-way fingerprint: tells keys apart without storing or logging one.</summary>
    private static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
