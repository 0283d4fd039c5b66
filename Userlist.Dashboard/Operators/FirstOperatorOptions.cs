namespace Userlist.Dashboard.Operators;

public sealed class FirstOperatorOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>The first operator, created at start when there is none. With neither set, the first visit asks for one.</summary>
    public string? AdminEmail { get; set; }

    /// <summary>The first operator's password (at least 10 characters). Never logged.</summary>
    public string? AdminPassword { get; set; }
}
