using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

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
            var copy = await OnlineBackup.WriteAsync(sources, destination, cancellationToken);
            LogBackedUp(copy.Folder, copy.Bytes);
            await audit.RecordAsync(operatorName, "Backup", $"Backed up to {copy.Folder} ({copy.Size})", null, cancellationToken);
            return new BackupOutcome(copy, null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SqliteException)
        {
            LogFailed(destination, exception.Message);
            return new BackupOutcome(null, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up to {Folder} ({Bytes} bytes)")]
    private partial void LogBackedUp(string folder, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup to {Folder} failed: {Reason}")]
    private partial void LogFailed(string folder, string reason);
}
