namespace Userlist.Core.Storage;

/// <summary>A setting saved at run time (in the dashboard or by the relay itself); it wins over configuration.</summary>
public sealed class RelaySetting
{
    public required string Name { get; set; }

    public string? Value { get; set; }

    public DateTime UpdatedAt { get; set; }
}
