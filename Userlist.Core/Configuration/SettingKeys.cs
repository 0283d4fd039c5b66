namespace Userlist.Core.Configuration;

/// <summary>
/// The names of the settings saved in the database, each defined once. An override of
/// configuration is saved under the key it overrides; delivery's own state under a plain name.
/// </summary>
public static class SettingKeys
{
    public const string PushApiUrl = UserlistOptions.SectionName + ":" + nameof(UserlistOptions.PushApiUrl);

    public const string RequestsPerMinute = UserlistOptions.SectionName + ":" + nameof(UserlistOptions.RequestsPerMinute);

    public const string RetryInitialDelaySeconds = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.RetryInitialDelaySeconds);

    public const string RetryMaxDelaySeconds = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.RetryMaxDelaySeconds);

    public const string MaxAttempts = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.MaxAttempts);

    public const string RetentionDays = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.RetentionDays);

    public const string SkipUnchangedHours = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.SkipUnchangedHours);

    public const string Coalesce = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.Coalesce);

    public const string IdentityWaitHours = DeliveryOptions.SectionName + ":" + nameof(DeliveryOptions.IdentityWaitHours);

    /// <summary>The Push API key saved in the dashboard, encrypted; it wins over <c>Userlist:PushKey</c>.</summary>
    public const string PushKey = "PushKey";

    /// <summary>Fingerprint of the key Userlist refused; delivery waits while that key is still the one in force.</summary>
    public const string RefusedPushKeyHash = "RefusedPushKeyHash";

    /// <summary>Present while an operator has paused delivery; its value says who paused it and when.</summary>
    public const string DeliveryPaused = "DeliveryPaused";

    /// <summary>The settings an operator may change on the Settings page, by configuration name.</summary>
    public static readonly IReadOnlyList<string> Editable =
        [PushApiUrl, RequestsPerMinute, RetryInitialDelaySeconds, RetryMaxDelaySeconds, MaxAttempts, RetentionDays, SkipUnchangedHours, Coalesce, IdentityWaitHours];
}
