using System.ComponentModel.DataAnnotations;

namespace Userlist.Core.Configuration;

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Bound from <c>ConnectionStrings:Userlist</c>.</summary>
    [Required(ErrorMessage = "ConnectionStrings:Userlist must name the relay's SQLite database, e.g. Data Source=data/userlist.db")]
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
}
