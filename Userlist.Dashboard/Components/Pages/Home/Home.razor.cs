using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Components.Pages.Home;

/// <summary>Everything the overview shows, read together.</summary>
public sealed record OverviewData(
    IReadOnlyDictionary<MessageStatus, int> Counts,
    IReadOnlyList<ActivityPoint> LastDay,
    DateTime? OldestWaiting,
    int SentLastMinute,
    int RequestsPerMinute,
    IReadOnlyList<RecentError> LastErrors,
    string? PausedBy,
    RequestsToday Today,
    DateTime? OldestWaitingForIdentity,
    int IdentityWaitHours)
{
    public int QueueDepth => Counts[MessageStatus.Pending] + Counts[MessageStatus.Retrying] + Counts[MessageStatus.Delivering];

    public int WaitingForIdentity => Counts[MessageStatus.Waiting];
}

public partial class Home
{
    private OverviewData? overview;
    private string? error;
    private List<ChartSeries<double>> series = [];
    private string[] labels = [];

    [Inject]
    public required MessageStatistics Statistics { get; init; }

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required IOptionsMonitor<UserlistOptions> Userlist { get; init; }

    [Inject]
    public required IOptionsMonitor<DeliveryOptions> DeliveryOptions { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private string OldestWaiting => overview?.OldestWaiting is { } oldest
        ? $"oldest received {Age(Time.GetUtcNow().UtcDateTime - oldest)} ago"
        : "nothing is waiting";

    private string OldestWaitingForIdentity => overview switch
    {
        { OldestWaitingForIdentity: { } oldest } data => $"oldest {Age(Time.GetUtcNow().UtcDateTime - oldest)}; each waits up to {data.IdentityWaitHours:N0} h, then is Rejected",
        { IdentityWaitHours: 0 } => "none: anonymous track and group calls are Rejected at once (Delivery:IdentityWaitHours is 0)",
        { } data => $"none: anonymous track and group calls wait up to {data.IdentityWaitHours:N0} h for an identify or alias",
        null => "",
    };

    private string RatePercent => overview is { } data ? $"{100.0 * data.SentLastMinute / data.RequestsPerMinute:0}%" : "";

    protected override async Task OnInitializedAsync()
    {
        try
        {
            overview = await ReadAsync();
            labels = overview.LastDay.Select((point, i) => i % 3 == 0 ? point.Hour.ToString("HH:00") : "").ToArray();
            series =
            [
                Series("Received", p => p.Received),
                Series("Delivered", p => p.Delivered),
                Series("Rejected", p => p.Rejected),
                Series("Failed", p => p.Failed),
            ];
        }
        catch (StorageUnavailableException exception)
        {
            error = exception.Message;
        }
    }

    private async Task<OverviewData> ReadAsync()
    {
        var token = CancellationToken.None;
        return new OverviewData(
            await Statistics.CountByStatusAsync(token),
            await Statistics.LastDayAsync(token),
            await Statistics.OldestWaitingAsync(token),
            await Statistics.SentLastMinuteAsync(token),
            Userlist.CurrentValue.RequestsPerMinute,
            await Statistics.LastErrorsAsync(10, token),
            await Delivery.PausedByAsync(token),
            await Statistics.RequestsTodayAsync(token),
            await Statistics.OldestWaitingForIdentityAsync(token),
            DeliveryOptions.CurrentValue.IdentityWaitHours);
    }

    private ChartSeries<double> Series(string name, Func<ActivityPoint, int> value) =>
        new() { Name = name, Data = new ChartData<double>(overview!.LastDay.Select(p => (double)value(p)).ToArray()) };

    private static string Age(TimeSpan age) => age.TotalMinutes < 1 ? $"{Math.Max(0, age.TotalSeconds):0} s"
        : age.TotalHours < 1 ? $"{age.TotalMinutes:0} min"
        : age.TotalDays < 1 ? $"{age.TotalHours:0.#} h"
        : $"{age.TotalDays:0.#} days";
}
