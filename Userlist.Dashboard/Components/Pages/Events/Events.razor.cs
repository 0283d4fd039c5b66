using Microsoft.AspNetCore.Components;
using MudBlazor;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Components.Pages.Events;

public partial class Events
{
    private MudDataGrid<MessageRow>? grid;
    private MessageStatus? status;
    private string? type;
    private string? userId;
    private string? groupId;
    private string? eventName;
    private int? total;

    [Inject]
    public required MessageQueries Queries { get; init; }

    /// <summary>Links from a user id elsewhere land here already filtered.</summary>
    [SupplyParameterFromQuery(Name = "user")]
    public string? UserFromLink { get; set; }

    protected override void OnParametersSet() => userId ??= UserFromLink;

    private async Task<GridData<MessageRow>> LoadAsync(GridState<MessageRow> state, CancellationToken cancellationToken)
    {
        var filter = new MessageFilter(status, type, userId, groupId, null, eventName);
        var (rows, count) = await Queries.PageAsync(filter, state.Page * state.PageSize, state.PageSize, cancellationToken);
        total = count;
        return new GridData<MessageRow> { Items = rows, TotalItems = count };
    }

    private Task ApplyAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    private Task FilterByUserAsync(string? user)
    {
        userId = user;
        return ApplyAsync();
    }
}
