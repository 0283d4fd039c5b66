using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Extensions;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;
using SandboxService = Userlist.Core.Ingest.Sandbox;

namespace Userlist.Dashboard.Components.Pages.Sandbox;

public sealed partial class Sandbox : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// A stored call as a person writes it: \" and é rather than \u0022 and \u00E9, which would push
    /// a call near the limit past it. The editor's value is never inlined in HTML unencoded.
    /// </summary>
    private static readonly JsonSerializerOptions AsWritten = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions AsWrittenIndented = new(AsWritten) { WriteIndented = true };

    private string json = "";
    private SandboxPreview? preview;
    private MessageDetail? sent;
    private bool sending;
    private string? loadError;
    private CancellationTokenSource? following;
    private MudTextField<string>? editor;
    private int editorGeneration;
    private string? connectionNotice;

    [Inject]
    public required SandboxService Calls { get; init; }

    [Inject]
    public required MessageQueries Queries { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required CircuitConnection Connection { get; init; }

    /// <summary>"Open in Sandbox" from a call's page: start from that stored call (text, so a bad link gets a message).</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public string? FromCall { get; set; }

    private string PrettyBody => preview?.Mapped?.Request is { } request
        ? JsonSerializer.Serialize(JsonDocument.Parse(request.Body).RootElement, Indented)
        : "";

    protected override void OnInitialized() => Connection.Restored += OnConnectionRestored;

    /// <summary>
    /// Text typed or pasted while the connection was down, or too large for it, never reached the
    /// relay: the editor is drawn again from what the relay has, which is what Send sends.
    /// </summary>
    private void OnConnectionRestored() => _ = InvokeAsync(async () =>
    {
        await OnJsonChanged(editor?.GetState(field => field.Text) ?? json);
        editorGeneration++;
        connectionNotice = "The connection to the relay dropped, and what you typed or pasted since may not have reached it: "
            + "the editor now shows the call the relay has, which is what Send sends.";
        StateHasChanged();
    });

    protected override async Task OnParametersSetAsync()
    {
        if (FromCall is null || json.Length > 0)
        {
            return;
        }

        if (!long.TryParse(FromCall, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            loadError = "The link's from= is not a call number; start from a template instead.";
            return;
        }

        try
        {
            var stored = await Queries.DetailAsync(id, CancellationToken.None);
            if (stored is null)
            {
                loadError = $"No call {id} is stored; start from a template instead.";
                return;
            }

            // Indented when that still fits in a call; a call near the limit opens on one line, so the editor takes it.
            using var call = JsonDocument.Parse(stored.Message.Payload);
            var indented = JsonSerializer.Serialize(call.RootElement, AsWrittenIndented);
            await OnJsonChanged(Encoding.UTF8.GetByteCount(indented) <= IngestService.MaxCallBytes ? indented : JsonSerializer.Serialize(call.RootElement, AsWritten));
        }
        catch (Exception exception) when (exception is StorageUnavailableException or JsonException)
        {
            loadError = $"Could not open call {id}: {exception.Message}";
        }
    }

    private Task UseTemplate(string name) => OnJsonChanged(SandboxService.Templates[name]);

    private async Task OnJsonChanged(string value)
    {
        json = value;
        connectionNotice = null;
        try
        {
            var latest = await Calls.DryRunAsync(value, CancellationToken.None);
            // A slower dry run of earlier text must not overwrite the newer one's.
            if (json == value)
            {
                preview = latest;
            }
        }
        catch (StorageUnavailableException exception)
        {
            preview = new SandboxPreview($"Could not read the identity links: {exception.Message}", null, null);
        }
    }

    private async Task SendAsync()
    {
        sending = true;
        try
        {
            // What the editor shows, not the debounced value the preview was made from: a paste
            // followed at once by Send must send the paste.
            if (editor?.GetState(field => field.Text) is { } shown && shown != json)
            {
                await OnJsonChanged(shown);
            }

            var (id, checkedPreview) = await Calls.SendAsync(json, CancellationToken.None);
            if (checkedPreview.Problem is not null)
            {
                preview = checkedPreview;
            }

            if (id is { } stored)
            {
                sent = await Queries.DetailAsync(stored, CancellationToken.None);
                following?.Cancel();
                following = new CancellationTokenSource();
                _ = FollowAsync(stored, following.Token);
            }
        }
        catch (StorageUnavailableException exception)
        {
            Snackbar.Add($"Not stored: {exception.Message}. Try again in a moment.", Severity.Error);
        }
        finally
        {
            sending = false;
        }
    }

    /// <summary>Shows the call's progress until Userlist's answer is in (or it is Rejected, Skipped or Failed).</summary>
    private async Task FollowAsync(long id, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (sent?.Message.Status is MessageStatus.Pending or MessageStatus.Delivering or MessageStatus.Retrying
                   && await ticks.WaitForNextTickAsync(cancellationToken))
            {
                var latest = await Queries.DetailAsync(id, cancellationToken);
                await InvokeAsync(() =>
                {
                    sent = latest;
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        Connection.Restored -= OnConnectionRestored;
        following?.Cancel();
    }
}
