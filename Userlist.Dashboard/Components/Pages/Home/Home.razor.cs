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
    DeliveryBlock Block,
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
    private BarChartOptions chartOptions = new();

    [Inject]
    public required MessageStatistics Statistics { get; init; }

    [Inject]
    public required DeliverySettings Delivery { get; init; }

    [Inject]
    public required DeliveryDispatcher Dispatcher { get; init; }

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

    /// <summary>The same state the banner above shows: a refused key pauses delivery as surely as an operator does.</summary>
    private (string State, string Why) DeliveryState => overview?.Block switch
    {
        DeliveryBlock.Paused => ("Paused", $"by {overview.PausedBy}"),
        DeliveryBlock.KeyRefused => ("Paused", "Userlist refused the Push API key"),
        DeliveryBlock.NoPushKey => ("Waiting", "no Push API key is set"),
        _ => ("Running", ""),
    };

    private string NoErrors => overview?.Today.Sent is null or 0
        ? "None, and no request was made to Userlist today (UTC)."
        : $"None: all {overview.Today.Sent:N0} requests made to Userlist today (UTC) were accepted.";

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
            var busiest = overview.LastDay.Max(p => Math.Max(Math.Max(p.Received, p.Delivered), Math.Max(p.Rejected, p.Failed)));
            chartOptions = new BarChartOptions { YAxisTicks = TickStep(busiest), MaxNumYAxisTicks = 6, YAxisFormat = "N0" };
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
            await BlockAsync(token),
            await Statistics.RequestsTodayAsync(token),
            await Statistics.OldestWaitingForIdentityAsync(token),
            DeliveryOptions.CurrentValue.IdentityWaitHours);
    }

    /// <summary>Read afresh, as the banner does: an instance that does not dispatch learns of a pause or a refusal only so.</summary>
    private async Task<DeliveryBlock> BlockAsync(CancellationToken cancellationToken)
    {
        await Dispatcher.RefreshBlockAsync(cancellationToken);
        return Dispatcher.Block;
    }

    /// <summary>A round step (1, 2, 5, 10, 20, 50…) giving at most five ticks up to the busiest hour, so the axis fits the data.</summary>
    public static int TickStep(int busiest)
    {
        for (var step = 1; ; step *= 10)
        {
            foreach (var candidate in (int[])[step, 2 * step, 5 * step])
            {
                if (busiest <= 5 * candidate)
                {
                    return candidate;
                }
            }
        }
    }

    private ChartSeries<double> Series(string name, Func<ActivityPoint, int> value) =>
        new() { Name = name, Data = new ChartData<double>(overview!.LastDay.Select(p => (double)value(p)).ToArray()) };

    private static string Age(TimeSpan age) => age.TotalMinutes < 1 ? $"{Math.Max(0, age.TotalSeconds):0} s"
        : age.TotalHours < 1 ? $"{age.TotalMinutes:0} min"
        : age.TotalDays < 1 ? $"{age.TotalHours:0.#} h"
        : $"{age.TotalDays:0.#} days";
}
