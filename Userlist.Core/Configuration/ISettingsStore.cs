namespace Userlist.Core.Configuration;

/// <summary>
/// Where the dashboard's overrides are saved: Storage's Settings table, which depends on this folder
/// (its options), so this folder names only the seam.
/// </summary>
public interface ISettingsStore
{
    /// <summary>The saved values by name; none before the database has its tables.</summary>
    IReadOnlyDictionary<string, string> Read();

    /// <summary>Saves the values in one transaction; a null value removes the saved one.</summary>
    Task SaveAsync(IReadOnlyDictionary<string, string?> values, DateTime atUtc, CancellationToken cancellationToken);
}
