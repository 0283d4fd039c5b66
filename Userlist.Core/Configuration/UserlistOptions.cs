using System.ComponentModel.DataAnnotations;

namespace Userlist.Core.Configuration;

public sealed class UserlistOptions
{
    public const string SectionName = "Userlist";

    [Required(ErrorMessage = "Userlist:PushApiUrl must be set, e.g. https://push.userlist.com")]
    [Url(ErrorMessage = "Userlist:PushApiUrl must be an absolute http(s) URL")]
    public string PushApiUrl { get; set; } = "";

    /// <summary>The Push API key, until one is saved in the dashboard. Never logged.</summary>
    public string? PushKey { get; set; }

    [Range(1, 1_000_000, ErrorMessage = "Userlist:RequestsPerMinute must be between 1 and 1,000,000")]
    public int RequestsPerMinute { get; set; } = 1000;

    /// <summary>How long one Push API request may take before it counts as a transient failure.</summary>
    [Range(0.1, 300, ErrorMessage = "Userlist:TimeoutSeconds must be between 0.1 and 300")]
    public double TimeoutSeconds { get; set; } = 10;
}
