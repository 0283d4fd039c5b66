using System.Collections.Concurrent;
using System.Net;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>
/// A Segment client that keeps posting track calls, one after another, until stopped, and keeps
/// the messageIds the relay acknowledged (answered 200) and every other answer it got.
/// </summary>
internal sealed class ContinuousIngest(RelayFactory relay, HttpClient client)
{
    private readonly ConcurrentQueue<string> acknowledged = new();
    private readonly ConcurrentQueue<HttpStatusCode> refused = new();

    public IReadOnlyCollection<string> Acknowledged => acknowledged;

    public IReadOnlyCollection<HttpStatusCode> Refused => refused;

    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var messageId = $"ingest-{i}";
            using var response = await client.SendAsync(relay.Post("/v1/track", $$"""{"userId":"user-{{i % 5}}","event":"Step Done","messageId":"{{messageId}}"}"""), CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                acknowledged.Enqueue(messageId);
            }
            else
            {
                refused.Enqueue(response.StatusCode);
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> calls are acknowledged in all.</summary>
    public Task UntilAcknowledgedAsync(int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(acknowledged.Count >= count), $"{count} calls are acknowledged", TimeSpan.FromSeconds(30));
}
