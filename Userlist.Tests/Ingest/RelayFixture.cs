using Microsoft.Extensions.Time.Testing;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Ingest;

/// <summary>One relay for a test class, its clock frozen at the reference notes' receive time.</summary>
public sealed class RelayFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset ReceivedAt = DateTimeOffset.Parse("2024-05-01T12:00:10.500Z", System.Globalization.CultureInfo.InvariantCulture);

    public const string WebhookSecret = "whsec_shared";

    public RelayFactory Relay { get; } = new() { Time = new FakeTimeProvider(ReceivedAt) };

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Relay.Settings["Ingest:WebhookSecret"] = WebhookSecret;
        Client = Relay.CreateClient(new() { AllowAutoRedirect = false });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Relay.DisposeAsync();
    }
}
