using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// A chat webhook stand-in (Slack's incoming webhook shape) on Kestrel on a loopback port: records
/// the path and the <c>text</c> of every JSON post, and answers 200, or the status the test sets.
/// </summary>
public sealed class FakeAlertWebhook : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Path, string Text)> received = new();

    private FakeAlertWebhook(WebApplication app) => this.app = app;

    public Uri Url => new(app.Urls.First());

    /// <summary>The status every post is answered with.</summary>
    public int AnswerStatus { get; set; } = StatusCodes.Status200OK;

    /// <summary>Every post's text, in order of arrival (refused ones included).</summary>
    public IReadOnlyList<string> Texts => [.. received.Select(r => r.Text)];

    public IReadOnlyList<string> Paths => [.. received.Select(r => r.Path)];

    public static async Task<FakeAlertWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeAlertWebhook(app);
        app.Run(fake.AnswerAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task AnswerAsync(HttpContext http)
    {
        using var body = await JsonDocument.ParseAsync(http.Request.Body);
        received.Enqueue((http.Request.Path.Value ?? "", body.RootElement.GetProperty("text").GetString() ?? ""));
        http.Response.StatusCode = AnswerStatus;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
