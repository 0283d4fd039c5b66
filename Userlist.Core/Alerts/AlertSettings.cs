using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Core.Alerts;

/// <summary>The email channel in force; it sends only when <see cref="IsSet"/>.</summary>
public sealed record EmailChannel(string Host, int Port, bool UseTls, string User, string Password, string From, string To)
{
    public bool IsSet => Host.Length > 0 && From.Length > 0 && To.Length > 0;
}

/// <summary>The alert settings in force, secrets decrypted: for sending, never for showing.</summary>
public sealed record AlertConfiguration(string WebhookUrl, EmailChannel Email, int IntervalMinutes, int StalledMinutes, int OldestWaitingMinutes)
{
    public bool HasChannel => WebhookUrl.Length > 0 || Email.IsSet;
}

/// <summary>
/// The alert settings as the Settings page edits them. The webhook URL and the SMTP password are
/// never shown: a new value replaces the saved one, an empty one keeps it, and Remove clears it.
/// </summary>
public sealed class AlertSettingsForm
{
    public string NewWebhookUrl { get; set; } = "";

    public bool RemoveWebhook { get; set; }

    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    public bool UseTls { get; set; } = true;

    public string User { get; set; } = "";

    public string NewPassword { get; set; } = "";

    public bool RemovePassword { get; set; }

    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public int IntervalMinutes { get; set; } = 15;

    public int StalledMinutes { get; set; } = 10;

    public int OldestWaitingMinutes { get; set; } = 30;
}

/// <summary>What the Settings page shows: the editable values, the webhook by its host alone, whether a password is set.</summary>
public sealed record AlertSettingsView(AlertSettingsForm Form, string? WebhookHint, bool PasswordSet);

/// <summary>
/// The alert settings: saved in the dashboard (in the Settings table, under their configuration
/// names, the webhook URL and the SMTP password encrypted as the Push API key is), else
/// configuration's <c>Alerts:*</c>. Saving checks the values and audits each change, secrets by
/// "changed" or "removed" alone.
/// </summary>
public sealed class AlertSettings(
    IDbContextFactory<RelayDbContext> databases,
    ISettingsStore store,
    IOptionsMonitor<AlertsOptions> options,
    ISecretProtector protector,
    AuditLog audit,
    TimeProvider time)
{
    public const string WebhookUrlKey = AlertsOptions.SectionName + ":WebhookUrl";
    public const string HostKey = AlertsOptions.SectionName + ":Email:Host";
    public const string PortKey = AlertsOptions.SectionName + ":Email:Port";
    public const string UseTlsKey = AlertsOptions.SectionName + ":Email:UseTls";
    public const string UserKey = AlertsOptions.SectionName + ":Email:User";
    public const string PasswordKey = AlertsOptions.SectionName + ":Email:Password";
    public const string FromKey = AlertsOptions.SectionName + ":Email:From";
    public const string ToKey = AlertsOptions.SectionName + ":Email:To";
    public const string IntervalKey = AlertsOptions.SectionName + ":IntervalMinutes";
    public const string StalledKey = AlertsOptions.SectionName + ":StalledMinutes";
    public const string OldestWaitingKey = AlertsOptions.SectionName + ":OldestWaitingMinutes";

    private const int LongestThresholdMinutes = 10_080;

    private static readonly string[] Names = [WebhookUrlKey, HostKey, PortKey, UseTlsKey, UserKey, PasswordKey, FromKey, ToKey, IntervalKey, StalledKey, OldestWaitingKey];

    private static readonly string[] Secrets = [WebhookUrlKey, PasswordKey];

    public Task<AlertConfiguration> CurrentAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync(async () => Build(await SavedAsync(cancellationToken)));

    public async Task<AlertSettingsView> ViewAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        var form = new AlertSettingsForm
        {
            Host = current.Email.Host,
            Port = current.Email.Port,
            UseTls = current.Email.UseTls,
            User = current.Email.User,
            From = current.Email.From,
            To = current.Email.To,
            IntervalMinutes = current.IntervalMinutes,
            StalledMinutes = current.StalledMinutes,
            OldestWaitingMinutes = current.OldestWaitingMinutes,
        };
        return new AlertSettingsView(form, current.WebhookUrl.Length > 0 ? MaskUrl(current.WebhookUrl) : null, current.Email.Password.Length > 0);
    }

    /// <summary>The scheme and host only: a webhook's path (Slack's) or user info is its secret.</summary>
    public static string MaskUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority.Split('@')[^1]}/…" : "(not a URL)";

    /// <summary>Checks the form, saves what changed and audits it. Returns the problems; nothing is saved if any.</summary>
    public async Task<IReadOnlyList<string>> SaveAsync(AlertSettingsForm form, string operatorName, CancellationToken cancellationToken)
    {
        var problems = Validate(form);
        if (problems.Count > 0)
        {
            return problems;
        }

        var current = await CurrentAsync(cancellationToken);
        var before = Values(current);
        var after = Values(new AlertConfiguration(
            form.RemoveWebhook ? "" : form.NewWebhookUrl.Trim() is { Length: > 0 } url ? url : current.WebhookUrl,
            new EmailChannel(
                form.Host.Trim(),
                form.Port,
                form.UseTls,
                form.User.Trim(),
                form.RemovePassword ? "" : form.NewPassword is { Length: > 0 } password ? password : current.Email.Password,
                form.From.Trim(),
                form.To.Trim()),
            form.IntervalMinutes,
            form.StalledMinutes,
            form.OldestWaitingMinutes));
        var changed = Names.Where(name => before[name] != after[name]).ToList();
        if (changed.Count == 0)
        {
            return [];
        }

        // An empty value is saved too (never null, which would remove it): it turns off what configuration would set.
        await store.SaveAsync(
            changed.ToDictionary(name => name, name => (string?)(Secrets.Contains(name) && after[name].Length > 0 ? protector.Protect(after[name]) : after[name])),
            time.GetUtcNow().UtcDateTime,
            cancellationToken);

        foreach (var name in changed)
        {
            var detail = Secrets.Contains(name)
                ? $"{name}: {(after[name].Length == 0 ? "removed" : before[name].Length == 0 ? "set" : "changed")}"
                : $"{name}: {Shown(before[name])} → {Shown(after[name])}";
            await audit.RecordAsync(operatorName, "Alerts", detail, null, cancellationToken);
        }

        return [];
    }

    private static string Shown(string value) => value.Length == 0 ? "(none)" : value;

    private static List<string> Validate(AlertSettingsForm form)
    {
        var problems = new List<string>();
        if (!form.RemoveWebhook && form.NewWebhookUrl.Trim() is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            problems.Add("Alerts:WebhookUrl must be an absolute http or https URL");
        }

        if (form.Host.Trim().Length > 0)
        {
            if (form.Port is < 1 or > 65_535)
            {
                problems.Add("Alerts:Email:Port must be between 1 and 65535");
            }

            if (!MailboxAddress.TryParse(form.From.Trim(), out var from) || !IsAddress(from))
            {
                problems.Add("Alerts:Email:From must be an email address");
            }

            if (!InternetAddressList.TryParse(form.To.Trim(), out var to) || !to.Mailboxes.Any() || !to.Mailboxes.All(IsAddress))
            {
                problems.Add("Alerts:Email:To must be one or more email addresses, separated by commas");
            }
        }

        foreach (var (name, minutes) in new[] { (IntervalKey, form.IntervalMinutes), (StalledKey, form.StalledMinutes), (OldestWaitingKey, form.OldestWaitingMinutes) })
        {
            if (minutes is < 1 or > LongestThresholdMinutes)
            {
                problems.Add($"{name} must be between 1 and {LongestThresholdMinutes}");
            }
        }

        return problems;
    }

    /// <summary>MimeKit takes a bare word for a local mailbox; an alert needs a domain to reach.</summary>
    private static bool IsAddress(MailboxAddress mailbox) => mailbox.Domain.Length > 0 && mailbox.LocalPart.Length > 0;

    private async Task<Dictionary<string, string>> SavedAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Settings.AsNoTracking().Where(s => Names.Contains(s.Name))
            .ToDictionaryAsync(s => s.Name, s => s.Value ?? "", cancellationToken);
    }

    private AlertConfiguration Build(IReadOnlyDictionary<string, string> saved)
    {
        var configured = options.CurrentValue;
        string Text(string name, string fallback) => saved.TryGetValue(name, out var value) ? value : fallback;
        string Secret(string name, string fallback) => saved.TryGetValue(name, out var value) ? (value.Length > 0 ? protector.Unprotect(value) : "") : fallback;
        int Number(string name, int fallback) => saved.TryGetValue(name, out var value) && int.TryParse(value, CultureInfo.InvariantCulture, out var number) ? number : fallback;
        var email = new EmailChannel(
            Text(HostKey, configured.Email.Host ?? "").Trim(),
            Number(PortKey, configured.Email.Port),
            saved.TryGetValue(UseTlsKey, out var tls) ? tls == "true" : configured.Email.UseTls,
            Text(UserKey, configured.Email.User ?? "").Trim(),
            Secret(PasswordKey, configured.Email.Password ?? ""),
            Text(FromKey, configured.Email.From ?? "").Trim(),
            Text(ToKey, configured.Email.To ?? "").Trim());
        return new AlertConfiguration(
            Secret(WebhookUrlKey, configured.WebhookUrl ?? "").Trim(),
            email,
            Number(IntervalKey, configured.IntervalMinutes),
            Number(StalledKey, configured.StalledMinutes),
            Number(OldestWaitingKey, configured.OldestWaitingMinutes));
    }

    private static Dictionary<string, string> Values(AlertConfiguration current) => new()
    {
        [WebhookUrlKey] = current.WebhookUrl,
        [HostKey] = current.Email.Host,
        [PortKey] = current.Email.Port.ToString(CultureInfo.InvariantCulture),
        [UseTlsKey] = current.Email.UseTls ? "true" : "false",
        [UserKey] = current.Email.User,
        [PasswordKey] = current.Email.Password,
        [FromKey] = current.Email.From,
        [ToKey] = current.Email.To,
        [IntervalKey] = current.IntervalMinutes.ToString(CultureInfo.InvariantCulture),
        [StalledKey] = current.StalledMinutes.ToString(CultureInfo.InvariantCulture),
        [OldestWaitingKey] = current.OldestWaitingMinutes.ToString(CultureInfo.InvariantCulture),
    };
}
