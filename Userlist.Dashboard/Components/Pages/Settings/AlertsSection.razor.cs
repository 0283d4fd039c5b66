using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Userlist.Core.Alerts;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;

namespace Userlist.Dashboard.Components.Pages.Settings;

/// <summary>The alert channels, thresholds, test buttons, the conditions raised now and the alerts sent.</summary>
public partial class AlertsSection
{
    private AlertSettingsView? view;
    private AlertSettingsForm form = new();
    private bool emailSet;
    private IReadOnlyList<string> problems = [];
    private IReadOnlyList<AlertDelivery> sent = [];
    private IReadOnlyList<AlertState> active = [];
    private (string Channel, AlertSendResult Result)? testResult;
    private string? loadError;
    private bool busy;

    [Inject]
    public required AlertSettings Settings { get; init; }

    [Inject]
    public required AlertOutbox Outbox { get; init; }

    [Inject]
    public required AlertMonitor Monitor { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    /// <summary>Raised after the settings are saved, so the page shows the change in its audit log.</summary>
    [Parameter]
    public EventCallback Saved { get; set; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            var token = CancellationToken.None;
            view = await Settings.ViewAsync(token);
            emailSet = (await Settings.CurrentAsync(token)).Email.IsSet;
            form = view.Form;
            sent = await Outbox.NewestAsync(50, token);
            active = (await Monitor.StatesAsync(token)).Where(s => s.ActiveSince is not null).OrderBy(s => s.ActiveSince).ToList();
            loadError = null;
        }
        catch (StorageUnavailableException exception)
        {
            loadError = exception.Message;
        }
    }

    private async Task SaveAsync()
    {
        problems = TooLong();
        if (problems.Count > 0)
        {
            return;
        }

        busy = true;
        problems = await Settings.SaveAsync(form, await Authentication.NameAsync(), CancellationToken.None);
        if (problems.Count == 0)
        {
            await LoadAsync();
            await Saved.InvokeAsync();
            Snackbar.Add("Alert settings saved", Severity.Success);
        }

        busy = false;
    }

    private List<string> TooLong() =>
    [
        .. new[]
        {
            TextLimit.Url.Problem("New webhook URL", form.NewWebhookUrl),
            TextLimit.Address.Problem("SMTP host", form.Host),
            TextLimit.Address.Problem("User", form.User),
            TextLimit.Secret.Problem("Password", form.NewPassword),
            TextLimit.Address.Problem("From", form.From),
            TextLimit.Addresses.Problem("To", form.To),
        }.OfType<string>(),
    ];

    private async Task TestAsync(string channel)
    {
        busy = true;
        testResult = (channel, await Outbox.SendTestAsync(channel, await Authentication.NameAsync(), CancellationToken.None));
        sent = await Outbox.NewestAsync(50, CancellationToken.None);
        busy = false;
    }

    private static string Outcome(AlertDelivery alert) => alert.Status switch
    {
        "sent" => alert.Attempts > 1 ? $"sent on attempt {alert.Attempts}" : "sent",
        "pending" when alert.Attempts == 0 => "queued",
        "pending" => $"attempt {alert.Attempts} failed ({alert.Error}); tried again",
        _ => $"failed after {alert.Attempts} attempts: {alert.Error}",
    };
}
