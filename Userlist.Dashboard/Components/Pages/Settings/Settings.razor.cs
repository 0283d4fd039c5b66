using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Userlist.Core.Configuration;
using Userlist.Core.Ingest;
using Userlist.Dashboard.Components.Shared;
using Userlist.Core.Delivery;
using Userlist.Core.PushApi;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Components.Pages.Settings;

public partial class Settings
{
    private (string Masked, string Source)? keyHint;
    private string newKey = "";
    private ConnectionCheck? check;
    private bool busy;
    private string? loadError;
    private bool loaded;
    private string? pausedBy;
    private Dictionary<string, string?> values = [];
    private IReadOnlyDictionary<string, string> saved = new Dictionary<string, string>();
    private IReadOnlyList<string> settingProblems = [];
    private IReadOnlyList<WriteKeySummary>? writeKeys;
    private string newWriteKeyName = "";
    private string? createdWriteKey;
    private IReadOnlyList<AuditEntry>? audit;

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required SettingsOverrides Overrides { get; init; }

    [Inject]
    public required WriteKeyAdmin WriteKeys { get; init; }

    [Inject]
    public required AuditLog AuditLog { get; init; }

    [Inject]
    public required DeliveryDispatcher Dispatcher { get; init; }

    [Inject]
    public required PushApiClient PushApi { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    private bool Coalescing => values.GetValueOrDefault(SettingKeys.Coalesce) == "true";

    private bool SettingsChanged => values.Any(v => (v.Value ?? "").Trim() != saved.GetValueOrDefault(v.Key, ""));

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            var token = CancellationToken.None;
            (keyHint, pausedBy, writeKeys, audit) = (
                await Delivery.PushKeyHintAsync(token),
                await Delivery.PausedByAsync(token),
                await WriteKeys.ListAsync(token),
                await AuditLog.NewestAsync(50, token));
            saved = Overrides.Effective(Overrides.Current);
            values = saved.ToDictionary(v => v.Key, v => (string?)v.Value);
            loadError = null;
            loaded = true;
        }
        catch (StorageUnavailableException exception)
        {
            loadError = exception.Message;
        }
    }

    private async Task SaveKeyAsync()
    {
        if (TextLimit.Secret.Exceeded(newKey))
        {
            Snackbar.Add($"Not saved: the key is too long, at most {TextLimit.Secret.Characters:N0} characters", Severity.Error);
            return;
        }

        busy = true;
        await Delivery.SavePushKeyAsync(newKey.Trim(), await Authentication.NameAsync(), CancellationToken.None);
        await Dispatcher.RefreshBlockAsync(CancellationToken.None);
        newKey = "";
        check = null;
        await LoadAsync();
        busy = false;
        Snackbar.Add("Key saved; delivery resumes with it", Severity.Success);
    }

    /// <summary>Tests the key typed in, or else the key in force.</summary>
    private async Task TestAsync()
    {
        busy = true;
        var key = string.IsNullOrWhiteSpace(newKey) ? (await Delivery.SendingKeyAsync(CancellationToken.None)).PushKey : newKey.Trim();
        check = key is null
            ? new ConnectionCheck(ConnectionState.InvalidKey, pausedBy is null ? $"Userlist at {Delivery.PushApiUrl} refused the key in force; paste a new one" : "Delivery is paused; resume it to test the key in force")
            : await PushApi.CheckKeyAsync(Delivery.PushApiUrl, key, CancellationToken.None);
        busy = false;
    }

    private async Task SaveSettingsAsync()
    {
        settingProblems = [.. values.Select(v => (v.Key == SettingKeys.PushApiUrl ? TextLimit.Url : TextLimit.Number).Problem(v.Key, v.Value)).OfType<string>()];
        if (settingProblems.Count > 0)
        {
            return;
        }

        busy = true;
        // Only what the operator changed is saved: a value equal to configuration's stays unpinned.
        var changed = values.Where(v => (v.Value ?? "").Trim() != saved.GetValueOrDefault(v.Key, "")).ToDictionary(v => v.Key, v => v.Value);
        settingProblems = await Overrides.SaveAsync(changed, await Authentication.NameAsync(), CancellationToken.None);
        if (settingProblems.Count == 0)
        {
            // A new Push API URL ends a refusal made by the old one: the banners and Test connection say so at once.
            await Dispatcher.RefreshBlockAsync(CancellationToken.None);
            check = null;
            await LoadAsync();
            Snackbar.Add("Delivery settings saved; they apply now", Severity.Success);
        }

        busy = false;
    }

    private Task PauseAsync() => ChangeDeliveryAsync(Delivery.PauseAsync);

    private Task ResumeAsync() => ChangeDeliveryAsync(Delivery.UnpauseAsync);

    /// <summary>Pauses or resumes, then has the banners and this page show the new state at once.</summary>
    private async Task ChangeDeliveryAsync(Func<string, CancellationToken, Task> change)
    {
        busy = true;
        await change(await Authentication.NameAsync(), CancellationToken.None);
        await Dispatcher.RefreshBlockAsync(CancellationToken.None);
        await LoadAsync();
        busy = false;
    }

    private async Task CreateWriteKeyAsync()
    {
        if (TextLimit.Name.Exceeded(newWriteKeyName))
        {
            Snackbar.Add($"Not created: the name is too long, at most {TextLimit.Name.Characters:N0} characters", Severity.Error);
            return;
        }

        busy = true;
        var created = await WriteKeys.CreateAsync(newWriteKeyName, await Authentication.NameAsync(), CancellationToken.None);
        newWriteKeyName = "";
        await LoadAsync();
        createdWriteKey = created;
        busy = false;
    }

    private async Task RevokeAsync(WriteKeySummary key)
    {
        busy = true;
        await WriteKeys.RevokeAsync(key.Id, await Authentication.NameAsync(), CancellationToken.None);
        createdWriteKey = null;
        await LoadAsync();
        busy = false;
        Snackbar.Add($"\"{key.Name}\" is revoked: calls sent with it are refused from now on", Severity.Success);
    }

    private string Snippet(string writeKey) => $$"""
        import { Analytics } from '@segment/analytics-node'

        const analytics = new Analytics({
          writeKey: '{{writeKey}}',
          host: '{{Navigation.BaseUri.TrimEnd('/')}}',
        })

        analytics.identify({ userId: 'user-1', traits: { email: 'ada@example.com' } })

        // In a script that exits, send what is queued first.
        await analytics.closeAndFlush()
        """;

    private Task CopyAsync(string text) => Clipboard.CopyAsync(JS, Snackbar, text, "snippet");
}
