using System.Text.Json;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Userlist.Core.Delivery;
using Userlist.Core.Mapping;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Components.Pages.Events;

public partial class EventDetail
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private MessageDetail? detail;
    private MappedCall? mapped;
    private bool loaded;

    [Parameter]
    public long Id { get; set; }

    [Inject]
    public required MessageQueries Queries { get; init; }

    [Inject]
    public required RetryService Retries { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private bool CanRetry => detail?.Message.Status is MessageStatus.Failed or MessageStatus.Rejected or MessageStatus.Skipped;

    protected override Task OnParametersSetAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        detail = await Queries.DetailAsync(Id, CancellationToken.None);
        mapped = detail is { Message.Status: not MessageStatus.Invalid } ? SegmentToUserlist.Map(detail.Message.Payload) : null;
        loaded = true;
    }

    private async Task RetryAsync()
    {
        if (await Retries.RetryAsync(Id, CancellationToken.None))
        {
            Snackbar.Add("Sent back to the queue", Severity.Success);
        }

        await LoadAsync();
    }

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
