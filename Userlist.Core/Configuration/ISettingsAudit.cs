namespace Userlist.Core.Configuration;

/// <summary>
/// Where a saved override is recorded for the operators' history: Storage's audit log, which
/// depends on this folder (its options), so this folder names only the seam.
/// </summary>
public interface ISettingsAudit
{
    Task RecordAsync(string operatorName, string action, string detail, long? messageRowId, CancellationToken cancellationToken);
}
