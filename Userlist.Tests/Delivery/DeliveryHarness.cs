using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Delivery;

/// <summary>The relay pointed at a fake Userlist, with a fast retry policy so retries happen within a test.</summary>
public sealed class DeliveryHarness : IAsyncDisposable
{
    public const string PushKey = "push-key-123";

    private readonly TestDatabase database;

    private DeliveryHarness(FakeUserlist userlist, TestDatabase database, RelayFactory relay)
    {
        Userlist = userlist;
        this.database = database;
        Relay = relay;
        Client = relay.CreateClient();
    }

    /// <summary>The relay's base address, when it was started on a real port.</summary>
    public Uri ServerAddress => Relay.ServerAddress;

    public FakeUserlist Userlist { get; }

    public RelayFactory Relay { get; }

    public HttpClient Client { get; }

    /// <summary>On SQLite.</summary>
    public static Task<DeliveryHarness> StartAsync(
        Action<FakeUserlist>? script = null, Dictionary<string, string?>? settings = null, string? pushKey = PushKey, bool onRealPort = false) =>
        StartAsync(StorageKind.Sqlite, script, settings, pushKey, onRealPort);

    /// <summary>On a new database of the given provider, dropped with the harness.</summary>
    /// <param name="onRealPort">Listen on a loopback port (for clients outside the process) instead of the in-memory server.</param>
    /// <param name="time">The relay's clock, when the test moves it.</param>
    public static async Task<DeliveryHarness> StartAsync(StorageKind storage,
        Action<FakeUserlist>? script = null, Dictionary<string, string?>? settings = null, string? pushKey = PushKey, bool onRealPort = false,
        TimeProvider? time = null)
    {
        var database = await TestDatabase.CreateAsync(storage);
        var userlist = await FakeUserlist.StartAsync();
        script?.Invoke(userlist);
        var relay = new RelayFactory(database) { Time = time };
        relay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
        relay.Settings["Userlist:PushKey"] = pushKey ?? "";
        relay.Settings["Delivery:RetryInitialDelaySeconds"] = "0.05";
        relay.Settings["Delivery:RetryMaxDelaySeconds"] = "0.2";
        foreach (var (key, value) in settings ?? [])
        {
            relay.Settings[key] = value;
        }

        if (onRealPort)
        {
            relay.UseKestrel(0);
            relay.StartServer();
        }

        return new DeliveryHarness(userlist, database, relay);
    }

    /// <summary>Saves the Push API key from the dashboard, as an operator would; a backlog stored without one is due at once.</summary>
    public Task SetPushKeyAsync() =>
        Relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(PushKey, "ops@example.com", CancellationToken.None);

    public async Task SendAsync(string path, string body) =>
        await (await Client.SendAsync(Relay.Post(path, body))).AssertSuccessAsync();

    public async Task<Message> MessageAsync(string messageId) =>
        Assert.Single(await Relay.MessagesAsync(), m => m.MessageId == messageId);

    public async Task<List<DeliveryAttempt>> AttemptsAsync(string messageId)
    {
        await using var db = await Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.DeliveryAttempts.AsNoTracking()
            .Where(a => db.Messages.Any(m => m.Id == a.MessageRowId && m.MessageId == messageId))
            .OrderBy(a => a.Id).ToListAsync();
    }

    public Task UntilStatusAsync(string messageId, MessageStatus status, TimeSpan? within = null) =>
        Eventually.HoldsAsync(async () => (await Relay.MessagesAsync()).Any(m => m.MessageId == messageId && m.Status == status),
            $"{messageId} is {status}", within);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Relay.DisposeAsync();
        await Userlist.DisposeAsync();
        await database.DisposeAsync();
    }
}
