using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Bench;

/// <summary>
/// bench/dashboard's probe: runs the Core queries behind the event log and the overview inside the
/// relay, a number of times each, and answers with their timings. Mapped only when
/// <c>Bench:QueryEndpoints</c> is true, never in a normal run.
/// </summary>
public static class QueryTimingEndpoints
{
    private static readonly Dictionary<string, Func<IServiceProvider, Task>> Queries = new()
    {
        ["log first page"] = Page(new MessageFilter()),
        ["log, status filter"] = Page(new MessageFilter(Status: MessageStatus.Failed)),
        ["log, user filter"] = Page(new MessageFilter(UserId: "user-4242")),
        ["log, event name filter"] = Page(new MessageFilter(Event: "Report Exported")),
        ["log, last hour"] = Page(new MessageFilter(ReceivedFrom: DateTime.UtcNow.AddHours(-1))),
        ["log, free text (one user's email)"] = Page(new MessageFilter(Text: "user-4242@example.com")),
        ["log, free text (common word)"] = Page(new MessageFilter(Text: "enterprise")),
        ["log, user filter and free text"] = Page(new MessageFilter(UserId: "user-4242", Text: "Exported")),
        ["log, 200th page of 50"] = services =>
            services.GetRequiredService<MessageQueries>().PageAsync(new MessageFilter(), LogOrder.NewestFirst, 199 * 50, 50, CancellationToken.None),
        ["counts by status"] = services => services.GetRequiredService<MessageStatistics>().CountByStatusAsync(CancellationToken.None),
        ["overview aggregates"] = OverviewAsync,
        ["baseline: one scan of the payloads"] = ScanAsync,
    };

    public static IEndpointRouteBuilder MapQueryTimingForBenchmarks(this IEndpointRouteBuilder endpoints, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Bench:QueryEndpoints"))
        {
            endpoints.MapGet("/bench/queries", () => Queries.Keys).AllowAnonymous();
            endpoints.MapGet("/bench/queries/run", TimeAsync).AllowAnonymous();
            endpoints.MapGet("/bench/search-backlog", SearchBacklogAsync).AllowAnonymous();
        }

        return endpoints;
    }

    private static async Task<IResult> TimeAsync(string name, int runs, IServiceProvider services)
    {
        if (!Queries.TryGetValue(name, out var query))
        {
            return Results.NotFound();
        }

        var timings = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await query(services);
            timings.Add(watch.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        return Results.Json(new { name, runs, p50 = Percentile(timings, 0.50), p95 = Percentile(timings, 0.95), max = timings[^1] });
    }

    /// <summary>Calls stored but not yet in the free-text index, on either provider.</summary>
    private static async Task<long> SearchBacklogAsync(IDbContextFactory<RelayDbContext> databases, ISearchIndex search, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await search.BacklogAsync(db, cancellationToken);
    }

    private static Func<IServiceProvider, Task> Page(MessageFilter filter) => services =>
        services.GetRequiredService<MessageQueries>().PageAsync(filter, LogOrder.NewestFirst, 0, 50, CancellationToken.None);

    private static async Task OverviewAsync(IServiceProvider services)
    {
        var statistics = services.GetRequiredService<MessageStatistics>();
        await statistics.LastDayAsync(CancellationToken.None);
        await statistics.OldestWaitingAsync(CancellationToken.None);
        await statistics.SentLastMinuteAsync(CancellationToken.None);
        await statistics.RequestsTodayAsync(CancellationToken.None);
        await statistics.OldestWaitingForIdentityAsync(CancellationToken.None);
        await statistics.LastErrorsAsync(10, CancellationToken.None);
    }

    /// <summary>What any query without an index would cost: one pass over every stored payload.</summary>
    private static async Task ScanAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        await db.Messages.CountAsync(m => EF.Functions.Like(m.Payload, "%user-4242@example.com%"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];
}
