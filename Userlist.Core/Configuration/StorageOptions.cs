using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Userlist.Core.Configuration;

/// <summary>Where the relay keeps everything: <c>Sqlite</c> (one process, the default) or <c>Postgres</c> (any number of instances).</summary>
public enum StorageProvider
{
    Sqlite,
    Postgres,
}

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// <c>Sqlite</c> or <c>Postgres</c>, as text so that a wrong value gets our message (naming the
    /// key and the choices), not the configuration binder's.
    /// </summary>
    public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

    /// <summary>Bound from <c>ConnectionStrings:Userlist</c>.</summary>
    [Required(ErrorMessage = "ConnectionStrings:Userlist must name the relay's database, e.g. Data Source=data/userlist.db")]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How long a write may wait for a locked database before ingest answers 503 with
    /// Retry-After, so clients retry instead of hanging.
    /// </summary>
    [Range(1, 300, ErrorMessage = "Storage:WriteTimeoutSeconds must be between 1 and 300")]
    public int WriteTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Where "Back up now" on the Settings page writes its timestamped folders; empty means a
    /// "backups" folder next to the database.
    /// </summary>
    public string BackupFolder { get; set; } = "";

    /// <summary>The provider named, or null when <see cref="Provider"/> names none (validation says so).</summary>
    public StorageProvider? Kind => ParseProvider(Provider);

    /// <summary>
    /// The provider configuration names, read before the services are registered (they differ per
    /// provider). An unknown name registers the default's, and validation stops the start with its reason.
    /// </summary>
    public static StorageProvider ProviderFrom(IConfiguration configuration) =>
        ParseProvider(configuration[$"{SectionName}:{nameof(Provider)}"] ?? nameof(StorageProvider.Sqlite)) ?? StorageProvider.Sqlite;

    private static StorageProvider? ParseProvider(string text) =>
        text.Trim().All(char.IsAsciiLetter) && Enum.TryParse<StorageProvider>(text.Trim(), ignoreCase: true, out var provider) ? provider : null;
}
