using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using Userlist.Core;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;
using Userlist.Dashboard.Export;

namespace Userlist.Dashboard.Components.Pages.Events;

public sealed partial class Events : IDisposable
{
    private MudDataGrid<MessageRow>? grid;
    private HashSet<MessageRow> selected = [];
    private MessageStatus? status;
    private string? type;
    private string? userId;
    private string? groupId;
    private string? anonymousId;
    private string? eventName;
    private string? from;
    private string? to;
    private string? text;
    private MessagePage? page;
    private string? loadError;
    private IReadOnlyList<string> filterProblems = [];
    private bool live;
    private int newCalls;
    private bool retrying;
    private int retried;
    private int retryTotal;
    private string retryVerb = "Retried";
    private CancellationTokenSource? liveLoop;

    [Inject]
    public required MessageQueries Queries { get; init; }

    [Inject]
    public required RetryService Retries { get; init; }

    [Inject]
    public required MessageWriter Writer { get; init; }

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    /// <summary>Links from ids and counts elsewhere land here already filtered (a bad value gets a message, not the filter).</summary>
    [SupplyParameterFromQuery(Name = "user")]
    public string? UserFromLink { get; set; }

    [SupplyParameterFromQuery(Name = "group")]
    public string? GroupFromLink { get; set; }

    [SupplyParameterFromQuery(Name = "anonymous")]
    public string? AnonymousFromLink { get; set; }

    [SupplyParameterFromQuery(Name = "status")]
    public string? StatusFromLink { get; set; }

    private (DateTime? Value, bool Invalid) FromTime => CallsQuery.ParseTime(from);

    private (DateTime? Value, bool Invalid) ToTime => CallsQuery.ParseTime(to);

    private string MatchText => page switch
    {
        null => "",
        { TotalIsLowerBound: true } => $"{MessageQueries.CountCap:N0}+ calls match",
        { Total: > MessageQueries.MaxBrowsable } p => $"{p.Total:N0} calls match; the log pages through the first {MessageQueries.MaxBrowsable:N0}, a time range reaches the rest",
        { Total: 1 } => "1 call matches",
        var p => $"{p.Total:N0} calls match",
    };

    private MessageFilter Filter => new(status, type, userId, groupId, anonymousId, eventName, FromTime.Value, ToTime.Value, text);

    protected override void OnParametersSet()
    {
        var problems = new List<string>();
        userId ??= Linked("user", UserFromLink, problems);
        groupId ??= Linked("group", GroupFromLink, problems);
        anonymousId ??= Linked("anonymous", AnonymousFromLink, problems);
        if (status is null && StatusFromLink is not null)
        {
            // By name only: Enum.TryParse would also take "3" or "1,2".
            if (Enum.GetNames<MessageStatus>().FirstOrDefault(name => name.Equals(StatusFromLink, StringComparison.OrdinalIgnoreCase)) is { } linked)
            {
                status = Enum.Parse<MessageStatus>(linked);
            }
            else
            {
                problems.Add($"Not filtered by the link's status=: it is none of {string.Join(", ", Enum.GetNames<MessageStatus>())}.");
            }
        }

        filterProblems = problems;
    }

    private static string? Linked(string name, string? value, List<string> problems)
    {
        if (!TextLimit.Filter.Exceeded(value))
        {
            return value;
        }

        problems.Add($"Not filtered by the link's {name}=: {TextLimit.Filter.Message}.");
        return null;
    }

    /// <summary>Why the filter on screen can't be applied: a field over its limit.</summary>
    private List<string> FilterProblems() =>
    [
        .. new[]
        {
            TextLimit.Filter.Problem("User id", userId),
            TextLimit.Filter.Problem("Group id", groupId),
            TextLimit.Filter.Problem("Anonymous id", anonymousId),
            TextLimit.Filter.Problem("Event name", eventName),
            TextLimit.Filter.Problem("Received from", from),
            TextLimit.Filter.Problem("Received before", to),
            TextLimit.Filter.Problem("Text in the payload", text),
        }.OfType<string>().Select(problem => $"Not filtered: {problem}."),
    ];

    private async Task<GridData<MessageRow>> LoadAsync(GridState<MessageRow> state, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadPageAsync(state, cancellationToken);
        }
        finally
        {
            // The grid re-renders itself; the count and any error above it belong to the page.
            StateHasChanged();
        }
    }

    private async Task<GridData<MessageRow>> ReadPageAsync(GridState<MessageRow> state, CancellationToken cancellationToken)
    {
        var order = state.SortDefinitions.FirstOrDefault() is { Descending: false } ? LogOrder.OldestFirst : LogOrder.NewestFirst;
        try
        {
            // A filter applied while a page was loading is read again, so whichever load the grid
            // keeps shows the filter on screen.
            MessageFilter filter;
            do
            {
                filter = Filter;
                page = await Queries.PageAsync(filter, order, state.Page * state.PageSize, state.PageSize, CancellationToken.None);
            }
            while (filter != Filter);
            loadError = null;
            Volatile.Write(ref newCalls, 0);
            return new GridData<MessageRow> { Items = page.Rows, TotalItems = Math.Min(page.Total, MessageQueries.MaxBrowsable) };
        }
        catch (StorageUnavailableException exception)
        {
            loadError = exception.Message;
            return new GridData<MessageRow> { Items = [], TotalItems = 0 };
        }
    }

    private async Task ApplyAsync()
    {
        filterProblems = FilterProblems();
        if (FromTime.Invalid || ToTime.Invalid || filterProblems.Count > 0)
        {
            return;
        }

        selected.Clear();
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }
    }

    private Task ApplyOnEnterAsync(KeyboardEventArgs key) => key.Key == "Enter" ? ApplyAsync() : Task.CompletedTask;

    private Task ClearAsync()
    {
        (status, type, userId, groupId, anonymousId, eventName, from, to, text) = (null, null, null, null, null, null, null, null, null);
        return ApplyAsync();
    }

    private Task FilterByAsync(string? user = null, string? group = null)
    {
        (userId, groupId) = (user ?? userId, group ?? groupId);
        return ApplyAsync();
    }

    private async Task RetrySelectedAsync()
    {
        var me = await Authentication.NameAsync();
        var count = await Retries.RetrySelectedAsync(selected.Select(row => row.Id).ToList(), me, CancellationToken.None);
        Snackbar.Add($"Sent {count:N0} of {selected.Count:N0} selected calls back to the queue (only Failed, Rejected and Skipped calls are retried)", Severity.Success);
        await ApplyAsync();
    }

    /// <summary>
    /// The bulk retry's or resend's confirmation: how many calls, and the filter that chose them
    /// (or "all" when none did), with where a resend goes.
    /// </summary>
    public static string SendAgainQuestion(SendAgain kind, int count, MessageFilter filter, string pushApiUrl)
    {
        var which = kind == SendAgain.Retry ? "Failed, Rejected or Skipped" : "Delivered";
        var described = filter.Describe();
        var everything = described == new MessageFilter().Describe();
        var calls = $"{(everything && count != 1 ? "all" : "the")} {Counted.Calls(count, which)}";
        var matching = everything ? "" : $" matching {described}";
        return (kind, count) switch
        {
            (SendAgain.Retry, 1) => $"Retry {calls}{matching}? It goes back to the queue and is mapped and sent again.",
            (SendAgain.Retry, _) => $"Retry {calls}{matching}? They go back to the queue and are mapped and sent again.",
            (_, 1) => $"Resend {calls}{matching} to {pushApiUrl}? It is mapped anew with today's settings and sent again, on its own request; what it became before stays in its history.",
            _ => $"Resend {calls}{matching} to {pushApiUrl}? They are mapped anew with today's settings and sent again, each on its own request; what they became before stays in their history.",
        };
    }

    private Task RetryMatchingAsync() => SendMatchingAgainAsync(SendAgain.Retry);

    private Task ResendMatchingAsync() => SendMatchingAgainAsync(SendAgain.Resend);

    /// <summary>Retries (or resends) every call the filter selects, after a confirmation with the exact count, showing progress.</summary>
    private async Task SendMatchingAgainAsync(SendAgain kind)
    {
        var filter = Filter;
        var count = await Retries.CountAsync(kind, filter, CancellationToken.None);
        var (which, verb) = kind == SendAgain.Retry ? ("Failed, Rejected or Skipped", "Retry") : ("Delivered", "Resend");
        if (count == 0)
        {
            Snackbar.Add($"No {which} calls match this filter", Severity.Info);
            return;
        }

        var pushApiUrl = Delivery.PushApiUrl.ToString();
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            kind == SendAgain.Retry ? "Retry calls" : "Resend calls",
            SendAgainQuestion(kind, count, filter, pushApiUrl),
            yesText: $"{verb} {Counted.Calls(count)}",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        (retrying, retried, retryTotal, retryVerb) = (true, 0, count, kind == SendAgain.Retry ? "Retried" : "Resent");
        try
        {
            var progress = new Progress(done => InvokeAsync(() =>
            {
                retried = done;
                StateHasChanged();
            }));
            var total = await Retries.SendMatchingAgainAsync(kind, filter, await Authentication.NameAsync(), pushApiUrl, progress, CancellationToken.None);
            Snackbar.Add($"Sent {Counted.Calls(total)} back to the queue", Severity.Success);
        }
        finally
        {
            retrying = false;
        }

        await ApplyAsync();
    }

    private async Task SetLiveAsync(bool on)
    {
        live = on;
        liveLoop?.Cancel();
        Writer.Committed -= OnCommitted;
        if (!on)
        {
            return;
        }

        Writer.Committed += OnCommitted;
        liveLoop = new CancellationTokenSource();
        await ApplyAsync();
        _ = RefreshWhileLiveAsync(liveLoop.Token);
    }

    /// <summary>Live mode: new calls show within a second, but a busy relay costs at most one query a second.</summary>
    private async Task RefreshWhileLiveAsync(CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken))
            {
                if (Volatile.Read(ref newCalls) > 0)
                {
                    await InvokeAsync(async () =>
                    {
                        if (grid is not null)
                        {
                            await grid.ReloadServerData();
                        }
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnCommitted(int added) => Interlocked.Add(ref newCalls, added);

    public void Dispose()
    {
        Writer.Committed -= OnCommitted;
        liveLoop?.Cancel();
        liveLoop?.Dispose();
    }

    /// <summary>Reports straight to the callback: Progress&lt;T&gt; would post to a context the renderer doesn't have.</summary>
    private sealed class Progress(Func<int, Task> report) : IProgress<int>
    {
        public void Report(int value) => _ = report(value);
    }
}
