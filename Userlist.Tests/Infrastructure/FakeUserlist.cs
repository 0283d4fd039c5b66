using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// A Push API stand-in on Kestrel on a loopback port: records every request and answers 202,
/// or whatever the test scripts, after an optional latency. It can enforce a requests-per-minute
/// limit the way Userlist does, answering 429 past it.
/// </summary>
public sealed class FakeUserlist : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<RecordedRequest> arrivals = new();
    private readonly ConcurrentQueue<DateTimeOffset> window = new();

    private FakeUserlist(WebApplication app) => this.app = app;

    public Uri Url => new(app.Urls.First());

    /// <summary>Decides the answer to a request; null means 202.</summary>
    public Func<RecordedRequest, Task<Scripted?>>? Script { get; set; }

    /// <summary>Added before every answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, more requests than this within any 60 s are answered 429.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>The requests answered, in the order their answers went out.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>
    /// Every request that arrived, answered or not, in the order of arrival: one cut off before its
    /// answer (the relay stopped or crashed) still reached Userlist, and counts as sent.
    /// </summary>
    public IReadOnlyList<RecordedRequest> Arrivals => [.. arrivals];

    public int RateLimitedCount => requests.Count(r => r.AnsweredStatus == 429);

    public static async Task<FakeUserlist> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeUserlist(app);
        app.Run(fake.AnswerAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task AnswerAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var request = new RecordedRequest(
            http.Request.Method,
            http.Request.Path,
            http.Request.Headers.Authorization.ToString(),
            http.Request.Headers.Accept.ToString(),
            http.Request.ContentType,
            await reader.ReadToEndAsync(),
            DateTimeOffset.UtcNow);
        arrivals.Enqueue(request);

        var answer = OverLimit(request.ReceivedAt) ? new Scripted(429) : Script is null ? null : await Script(request);
        answer ??= new Scripted(202);
        if (answer.Delay > TimeSpan.Zero || Latency > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay + Latency, http.RequestAborted);
        }

        request.AnsweredStatus = answer.Status;
        requests.Enqueue(request);
        http.Response.StatusCode = answer.Status;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.Body ?? """{"status":"accepted"}""");
    }

    private bool OverLimit(DateTimeOffset now)
    {
        if (RequestsPerMinute is not { } limit)
        {
            return false;
        }

        lock (window)
        {
            while (window.TryPeek(out var oldest) && now - oldest >= TimeSpan.FromMinutes(1))
            {
                window.TryDequeue(out _);
            }

            if (window.Count >= limit)
            {
                return true;
            }

            window.Enqueue(now);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public sealed record Scripted(int Status, string? Body = null, int? RetryAfterSeconds = null, TimeSpan Delay = default);

    public sealed record RecordedRequest(string Method, string Path, string Authorization, string Accept, string? ContentType, string Body, DateTimeOffset ReceivedAt)
    {
        public int AnsweredStatus { get; set; }
    }
}
