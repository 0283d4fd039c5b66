using System.ComponentModel.DataAnnotations;

namespace Userlist.Core.Configuration;

/// <summary>
/// Where alerts go and when they are raised. These values seed the dashboard's: an alert setting
/// saved in Settings wins over them.
/// </summary>
public sealed class AlertsOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Posted a JSON body with a Slack-compatible <c>text</c>; empty: no webhook alerts.</summary>
    public string WebhookUrl { get; set; } = "";

    public AlertEmailOptions Email { get; set; } = new();

    /// <summary>At most one alert per condition in this many minutes while it lasts.</summary>
    [Range(1, 10_080, ErrorMessage = "Alerts:IntervalMinutes must be between 1 and 10080")]
    public int IntervalMinutes { get; set; } = 15;

    /// <summary>Delivery paused, or calls due and nothing delivered, for this many minutes raises an alert.</summary>
    [Range(1, 10_080, ErrorMessage = "Alerts:StalledMinutes must be between 1 and 10080")]
    public int StalledMinutes { get; set; } = 10;

    /// <summary>The oldest call waiting to be delivered (Pending or Retrying) older than this raises an alert.</summary>
    [Range(1, 10_080, ErrorMessage = "Alerts:OldestWaitingMinutes must be between 1 and 10080")]
    public int OldestWaitingMinutes { get; set; } = 30;
}

/// <summary>Email alerts over SMTP; no email is sent while <see cref="Host"/> is empty.</summary>
public sealed class AlertEmailOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    /// <summary>TLS required: on connect for port 465, STARTTLS otherwise. Off: plain SMTP (a relay on the same host).</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>Empty: no authentication.</summary>
    public string User { get; set; } = "";

    public string Password { get; set; } = "";

    public string From { get; set; } = "";

    /// <summary>One address, or several separated by commas.</summary>
    public string To { get; set; } = "";
}
