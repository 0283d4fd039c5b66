using Microsoft.Extensions.Time.Testing;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Ingest;

/// <summary>
/// One relay for a test class, on a database of its own of either provider, its clock frozen at
/// the reference notes' receive time. Without PostgreSQL, its tests skip (or fail under CI=true)
/// when they ask for the relay.
/// </summary>
public abstract class RelayFixture(StorageKind storage) : IAsyncLifetime
{
    public static readonly DateTimeOffset ReceivedAt = DateTimeOffset.Parse("2024-05-01T12:00:10.500Z", System.Globalization.CultureInfo.InvariantCulture);

    public const string WebhookSecret = "whsec_shared";

    private TestDatabase? database;
    private RelayFactory? relay;
    private HttpClient? client;

    public sealed class OnSqlite() : RelayFixture(StorageKind.Sqlite);

    public sealed class OnPostgres() : RelayFixture(StorageKind.Postgres);

    public RelayFactory Relay => Started(relay);

    public HttpClient Client => Started(client);

    public async Task InitializeAsync()
    {
        if (!TestDatabase.IsInstalled(storage))
        {
            return;
        }

        database = await TestDatabase.CreateAsync(storage);
        relay = new RelayFactory(database) { Time = new FakeTimeProvider(ReceivedAt) };
        relay.Settings["Ingest:WebhookSecret"] = WebhookSecret;
        client = relay.CreateClient(new() { AllowAutoRedirect = false });
    }

    public async Task DisposeAsync()
    {
        client?.Dispose();
        if (relay is not null)
        {
            await relay.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    private T Started<T>(T? value)
        where T : class
    {
        TestDatabase.SkipUnlessInstalled(storage);
        return value!;
    }
}
