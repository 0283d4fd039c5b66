using System.Data.Common;
using Userlist.Core.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

/// <summary>
/// What a backup copies, where the host keeps it: the relay's database, the Data Protection keys
/// folder (without it the saved Push API key can't be decrypted) and Hangfire's database
/// (optional to restore: the relay schedules its jobs again at start from its own tables).
/// </summary>
public sealed record BackupSources(string DatabasePath, string KeysFolder, string? JobsDatabasePath);

/// <summary>A finished backup: its folder, the files in it (relative paths) and their total size.</summary>
public sealed record BackupCopy(string Folder, IReadOnlyList<string> Files, long Bytes)
{
    /// <summary>The size for people, e.g. "1.4 MB".</summary>
    public string Size => Bytes switch
    {
        < 1024 => $"{Bytes} B",
        < 1024 * 1024 => $"{Bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{Bytes / (1024.0 * 1024):0.#} MB",
        _ => $"{Bytes / (1024.0 * 1024 * 1024):0.##} GB",
    };
}

/// <summary>What "Back up now" gave: the copy, or why there is none.</summary>
public sealed record BackupOutcome(BackupCopy? Copy, string? Error);

/// <summary>"Back up now" from the dashboard: a timestamped folder under Storage:BackupFolder, audited. The host supplies the <see cref="BackupSources"/>.</summary>
public sealed partial class BackupService(
    BackupSources sources,
    IOptions<StorageOptions> options,
    AuditLog audit,
    TimeProvider time,
    ILogger<BackupService> logger)
{
    /// <summary>Storage:BackupFolder, or else a "backups" folder next to the database.</summary>
    public string Folder => string.IsNullOrWhiteSpace(options.Value.BackupFolder)
        ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sources.DatabasePath))!, "backups")
        : Path.GetFullPath(options.Value.BackupFolder);

    /// <summary>Writes a new backup and records it in the audit log; a failure comes back with its reason rather than as an exception.</summary>
    public async Task<BackupOutcome> BackUpNowAsync(string operatorName, CancellationToken cancellationToken)
    {
        var destination = Path.Combine(Folder, $"userlist-{time.GetUtcNow():yyyyMMdd-HHmmss}Z");
        try
        {
            var copy = await CopyAsync(sources, destination, cancellationToken);
            LogBackedUp(copy.Folder, copy.Bytes);
            await audit.RecordAsync(operatorName, "Backup", $"Backed up to {copy.Folder} ({copy.Size})", null, cancellationToken);
            return new BackupOutcome(copy, null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or DbException)
        {
            LogFailed(destination, exception.Message);
            return new BackupOutcome(null, exception.Message);
        }
    }

    /// <summary>An online copy of the relay's data into the folder (see <see cref="OnlineBackup"/>), from any process.</summary>
    public static Task<BackupCopy> CopyAsync(BackupSources sources, string destination, CancellationToken cancellationToken) =>
        OnlineBackup.WriteAsync(sources, destination, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up to {Folder} ({Bytes} bytes)")]
    private partial void LogBackedUp(string folder, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup to {Folder} failed: {Reason}")]
    private partial void LogFailed(string folder, string reason);
}
