using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;
using Userlist.Core;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;

namespace Userlist.Dashboard.Components.Pages.Events;

/// <summary>One step in a call's life, for the timeline.</summary>
public sealed record TimelineStep(DateTime At, string What, Color Color);

public sealed partial class EventDetail : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private MessageDetail? detail;
    private MappedCall? mapped;
    private string? sourceName;
    private string? maskedKey;
    private bool loaded;
    private string? error;
    private CancellationTokenSource? following;

    [Parameter]
    public long Id { get; set; }

    [Inject]
    public required MessageQueries Queries { get; init; }

    [Inject]
    public required RetryService Retries { get; init; }

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required WriteKeyDirectory WriteKeys { get; init; }

    [Inject]
    public required IdentityStitching Stitching { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    private bool CanRetry => detail is { } found && RetryService.CanRetry(found.Message.Status) && RetryWouldRefuseAgain is null;

    /// <summary>
    /// Why a retry can't change the outcome, when it can't: the relay itself refused the call for
    /// want of a user, and with identity stitching off it would refuse it again (with stitching on,
    /// a retried call waits for an identify or alias, so a retry may help).
    /// </summary>
    private string? RetryWouldRefuseAgain =>
        detail?.Message is { Status: MessageStatus.Rejected, StatusReason: SegmentToUserlist.AnonymousReason } message
        && mapped is { Reason: SegmentToUserlist.AnonymousReason } now && !Stitching.Waits(message, now)
            ? "A retry would be refused the same way: the call has no userId, and identity stitching is off (Delivery:IdentityWaitHours is 0), so it can't wait for one."
            : null;

    /// <summary>The mapped request as a curl command, with the key masked so it can be pasted in a ticket.</summary>
    private string? Curl => mapped?.Request is { } request ? $"{CurlCommand(request)}{CurlBody(request)}'" : null;

    /// <summary>The command up to the opening quote of its body.</summary>
    private string CurlCommand(PushRequest request) =>
        $"curl -X {request.Method} '{Delivery.PushApiUrl}{request.Path.TrimStart('/')}' \\\n"
        + $"  -H 'Authorization: Push {maskedKey ?? "<your Push API key>"}' \\\n"
        + "  -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n"
        + "  -d '";

    /// <summary>The body, quoted for the shell.</summary>
    private static string CurlBody(PushRequest request) => request.Body.Replace("'", "'\\''", StringComparison.Ordinal);

    private IEnumerable<TimelineStep> Timeline
    {
        get
        {
            if (detail is null)
            {
                yield break;
            }

            var message = detail.Message;
            var steps = new List<TimelineStep> { new(message.ReceivedAt, $"Received from \u2068{sourceName ?? message.SourceId}\u2069", Color.Info) };
            steps.AddRange(detail.Attempts.Select((a, i) => new TimelineStep(a.StartedAt,
                $"Attempt {i + 1}: {a.Outcome}{(a.StatusCode is { } code ? $" ({code})" : "")}{SharedWith(a)}",
                a.Outcome == "Delivered" ? Color.Success : Color.Error)));
            steps.AddRange(detail.Retries.Select(r => new TimelineStep(r.At, $"{(r.Action == "Resend" ? "Resent" : "Retried")} by {r.Operator}", Color.Warning)));
            var now = message.Status == MessageStatus.Retrying && message.NextAttemptAt is { } next
                ? $"Retrying: next attempt at {next:HH:mm:ss} UTC"
                : $"Now {message.Status}";
            steps.Add(new TimelineStep(message.UpdatedAt ?? message.ReceivedAt, now, Color.Default));
            foreach (var step in steps.OrderBy(s => s.At))
            {
                yield return step;
            }
        }
    }

    /// <summary>The last attempt, when it was a merged request (coalescing): what Userlist received for the call.</summary>
    private DeliveryAttempt? LastMergedRequest => detail?.Attempts.LastOrDefault() is { RequestId: not null } attempt ? attempt : null;

    /// <summary>For an attempt that was a merged request, how many other calls it carried.</summary>
    private string SharedWith(DeliveryAttempt attempt) =>
        attempt.RequestId is { } request && detail!.SentWith.Count(c => c.RequestId == request) is var others and > 0
            ? $", merged with {Counted.Calls(others, "other")}"
            : "";

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        try
        {
            (detail, maskedKey) = (await Queries.DetailAsync(Id, CancellationToken.None), (await Delivery.PushKeyHintAsync(CancellationToken.None))?.Masked);
            mapped = detail is { Message.Status: not MessageStatus.Invalid } ? SegmentToUserlist.Map(detail.Message.Payload, detail.Message.LinkedUserId) : null;
            sourceName = detail is null ? null : await WriteKeys.NameOfAsync(detail.Message.SourceId, CancellationToken.None);
            error = null;
        }
        catch (StorageUnavailableException exception)
        {
            error = exception.Message;
        }

        loaded = true;
        if (detail is { Message.Status: MessageStatus.Pending or MessageStatus.Delivering or MessageStatus.Retrying or MessageStatus.Waiting } && following is null)
        {
            following = new CancellationTokenSource();
            _ = FollowAsync(following.Token);
        }
    }

    /// <summary>While the call is on its way, the page shows each attempt and status as it happens.</summary>
    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
                if (detail?.Message.Status is not (MessageStatus.Pending or MessageStatus.Delivering or MessageStatus.Retrying or MessageStatus.Waiting))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            following = null;
        }
    }

    public void Dispose() => following?.Cancel();

    private async Task RetryAsync()
    {
        var me = await Authentication.NameAsync();
        if (await Retries.RetryAsync(Id, me, CancellationToken.None))
        {
            Snackbar.Add("Sent back to the queue", Severity.Success);
        }

        await LoadAsync();
    }

    /// <summary>Sends a Delivered call again (a loss in Userlist, a new Userlist app), once the operator has seen where it goes.</summary>
    private async Task ResendAsync()
    {
        var pushApiUrl = Delivery.PushApiUrl.ToString();
        var confirmed = await Dialogs.ShowMessageBoxAsync("Resend call",
            $"Send call #{Id} again to {pushApiUrl}? It is mapped anew with today's settings and sent on its own request; its earlier attempts stay in its history.",
            yesText: "Resend", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        if (await Retries.ResendAsync(Id, await Authentication.NameAsync(), pushApiUrl, CancellationToken.None))
        {
            Snackbar.Add("Sent back to the queue", Severity.Success);
        }

        await LoadAsync();
    }

    private Task CopyCurlAsync() => CopyAsync(Curl!, "curl command");

    private Task CopyAsync(string text, string what) => Clipboard.CopyAsync(JS, Snackbar, text, what);

    private static string PrettyJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
