namespace Userlist.Core.Storage;

/// <summary>
/// A write key created in the dashboard. Only a SHA-256 hash of the key is stored: the value is
/// shown once, when it is created.
/// </summary>
public sealed class WriteKey
{
    public int Id { get; set; }

    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The last four characters, so operators can tell keys apart.</summary>
    public required string KeyHint { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
}
