using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Userlist.Core.Configuration;

/// <summary>
/// Delivery settings changed in the dashboard. They are saved in the database under their
/// configuration names (<c>Userlist:RequestsPerMinute</c>...) and win over appsettings.json and
/// the environment: they are laid over the options after binding, and every
/// <see cref="IOptionsMonitor{TOptions}"/> sees a change at once, so the pacer, retry policy and
/// retention pick it up without a restart.
/// </summary>
public sealed partial class SettingsOverrides(
    IConfiguration configuration, ISettingsStore store, ISettingsAudit audit, TimeProvider time, ILogger<SettingsOverrides> logger)
    : IPostConfigureOptions<UserlistOptions>, IPostConfigureOptions<DeliveryOptions>,
      IOptionsChangeTokenSource<UserlistOptions>, IOptionsChangeTokenSource<DeliveryOptions>
{
    private readonly Lock gate = new();
    private IReadOnlyDictionary<string, string> current = new Dictionary<string, string>();
    private CancellationTokenSource changed = new();
    private bool loaded;

    string? IOptionsChangeTokenSource<UserlistOptions>.Name => Options.DefaultName;

    string? IOptionsChangeTokenSource<DeliveryOptions>.Name => Options.DefaultName;

    /// <summary>The saved values, by configuration name.</summary>
    public IReadOnlyDictionary<string, string> Current
    {
        get
        {
            EnsureLoaded();
            return current;
        }
    }

    public void PostConfigure(string? name, UserlistOptions options) => Overlay(options, UserlistOptions.SectionName, Current);

    public void PostConfigure(string? name, DeliveryOptions options) => Overlay(options, DeliveryOptions.SectionName, Current);

    public IChangeToken GetChangeToken()
    {
        lock (gate)
        {
            return new CancellationChangeToken(changed.Token);
        }
    }

    /// <summary>Reads the saved values again (the database was just migrated) and tells the options.</summary>
    public void Reload()
    {
        lock (gate)
        {
            current = Read();
            loaded = true;
        }

        NotifyChanged();
    }

    /// <summary>
    /// Checks the new values against the same rules as configuration, then saves those that
    /// differ from what is in force and audits each (old → new). A blank value removes the
    /// override, so configuration applies again. Returns the problems; nothing is saved if any.
    /// </summary>
    public async Task<IReadOnlyList<string>> SaveAsync(IReadOnlyDictionary<string, string?> values, string operatorName, CancellationToken cancellationToken)
    {
        if (values.Keys.FirstOrDefault(key => !SettingKeys.Editable.Contains(key)) is { } unknown)
        {
            return [$"{unknown} can't be changed in the dashboard"];
        }

        var next = Current.ToDictionary();
        foreach (var (key, value) in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                next.Remove(key);
            }
            else
            {
                next[key] = value.Trim();
            }
        }

        var problems = Validate(next);
        if (problems.Count > 0)
        {
            return problems;
        }

        var before = Effective(Current);
        var after = Effective(next);
        var now = time.GetUtcNow().UtcDateTime;
        await store.SaveAsync(values.Keys.ToDictionary(key => key, key => next.GetValueOrDefault(key)), now, cancellationToken);
        Reload();
        foreach (var key in values.Keys.Where(key => before[key] != after[key]))
        {
            await audit.RecordAsync(operatorName, "Setting", $"{key}: {before[key]} → {after[key]}", null, cancellationToken);
        }

        return [];
    }

    /// <summary>Every editable setting's value in force with these overrides, as text.</summary>
    public IReadOnlyDictionary<string, string> Effective(IReadOnlyDictionary<string, string> overrides)
    {
        var (userlist, delivery) = Build(overrides);
        return new Dictionary<string, string>
        {
            [SettingKeys.PushApiUrl] = userlist.PushApiUrl,
            [SettingKeys.RequestsPerMinute] = userlist.RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.RetryInitialDelaySeconds] = delivery.RetryInitialDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.RetryMaxDelaySeconds] = delivery.RetryMaxDelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.MaxAttempts] = delivery.MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.RetentionDays] = delivery.RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.SkipUnchangedHours] = delivery.SkipUnchangedHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SettingKeys.Coalesce] = delivery.Coalesce ? "true" : "false",
            [SettingKeys.IdentityWaitHours] = delivery.IdentityWaitHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private List<string> Validate(IReadOnlyDictionary<string, string> overrides)
    {
        UserlistOptions userlist;
        DeliveryOptions delivery;
        try
        {
            (userlist, delivery) = Build(overrides);
        }
        catch (InvalidOperationException exception)
        {
            // The binder's message names the key and the value that isn't a number.
            return [exception.Message];
        }

        var problems = new List<ValidationResult>();
        Validator.TryValidateObject(userlist, new ValidationContext(userlist), problems, validateAllProperties: true);
        Validator.TryValidateObject(delivery, new ValidationContext(delivery), problems, validateAllProperties: true);
        var messages = problems.Select(p => p.ErrorMessage ?? "Invalid value")
            .Concat(new UserlistOptionsValidator().Validate(null, userlist).Failures ?? [])
            .Concat(new DeliveryOptionsValidator().Validate(null, delivery).Failures ?? []);
        return messages.Distinct().ToList();
    }

    private (UserlistOptions Userlist, DeliveryOptions Delivery) Build(IReadOnlyDictionary<string, string> overrides)
    {
        var userlist = new UserlistOptions();
        configuration.GetSection(UserlistOptions.SectionName).Bind(userlist);
        Overlay(userlist, UserlistOptions.SectionName, overrides);
        var delivery = new DeliveryOptions();
        configuration.GetSection(DeliveryOptions.SectionName).Bind(delivery);
        Overlay(delivery, DeliveryOptions.SectionName, overrides);
        return (userlist, delivery);
    }

    private static void Overlay(object options, string section, IReadOnlyDictionary<string, string> overrides)
    {
        var values = overrides.Where(o => o.Key.StartsWith(section + ":", StringComparison.Ordinal));
        new ConfigurationBuilder().AddInMemoryCollection(values!).Build().GetSection(section).Bind(options);
    }

    private void EnsureLoaded()
    {
        if (loaded)
        {
            return;
        }

        lock (gate)
        {
            if (!loaded)
            {
                current = Read();
                loaded = true;
            }
        }
    }

    /// <summary>
    /// The saved values that are still settings the dashboard edits. A Push API URL saved before
    /// the rule that refuses it (a user name and password in it) is passed over, with a warning
    /// that does not repeat it: configuration's URL applies until another is saved, and the relay
    /// still starts.
    /// </summary>
    private Dictionary<string, string> Read()
    {
        var saved = store.Read().Where(saved => SettingKeys.Editable.Contains(saved.Key)).ToDictionary();
        if (saved.TryGetValue(SettingKeys.PushApiUrl, out var url) && UserlistOptionsValidator.PushApiUrlProblem(url) is { } problem)
        {
            saved.Remove(SettingKeys.PushApiUrl);
            LogSavedUrlPassedOver(problem);
        }

        return saved;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Push API URL saved on the Settings page is not used ({Problem}); the configured one applies until another is saved")]
    private partial void LogSavedUrlPassedOver(string problem);

    private void NotifyChanged()
    {
        CancellationTokenSource previous;
        lock (gate)
        {
            previous = changed;
            changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }
}
