using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Userlist.Core.PushApi;
using Userlist.Core.Settings;

namespace Userlist.Dashboard.Components.Pages.Settings;

public partial class Settings
{
    private (string Masked, string Source)? keyHint;
    private string newKey = "";
    private ConnectionCheck? check;
    private bool busy;

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required PushApiClient PushApi { get; init; }

    [Inject]
    public required IOptionsMonitor<UserlistOptions> Userlist { get; init; }

    [Inject]
    public required IOptionsMonitor<DeliveryOptions> DeliveryPolicy { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync() => keyHint = await Delivery.PushKeyHintAsync(CancellationToken.None);

    private async Task SaveAsync()
    {
        busy = true;
        await Delivery.SavePushKeyAsync(newKey.Trim(), CancellationToken.None);
        newKey = "";
        check = null;
        keyHint = await Delivery.PushKeyHintAsync(CancellationToken.None);
        busy = false;
        Snackbar.Add("Key saved; delivery resumes with it", Severity.Success);
    }

    /// <summary>Tests the key typed in, or else the key in force.</summary>
    private async Task TestAsync()
    {
        busy = true;
        var key = string.IsNullOrWhiteSpace(newKey) ? (await Delivery.SendingKeyAsync(CancellationToken.None)).PushKey : newKey.Trim();
        check = key is null
            ? new ConnectionCheck(ConnectionState.InvalidKey, "Userlist refused the key in force; paste a new one")
            : await PushApi.CheckKeyAsync(Delivery.PushApiUrl, key, CancellationToken.None);
        busy = false;
    }
}
