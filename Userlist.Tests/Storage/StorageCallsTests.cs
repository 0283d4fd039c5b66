using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Pages;

namespace Userlist.Tests.Storage;

/// <summary>
/// The services the pages and endpoints await, when the database can't answer: they throw
/// <see cref="StorageUnavailableException"/> (what the pages catch and show), never the provider's
/// own exception, and change nothing.
/// </summary>
public sealed class StorageCallsTests
{
    private const string Operator = "ops@example.com";

    [Fact]
    public async Task Reads_WhileAnotherProcessHoldsTheDatabaseExclusively_ThrowStorageUnavailable()
    {
        await using var context = new PageContext(lockWaitSeconds: 1);
        using var held = new ExclusiveLock(context.DatabasePath);

        await AssertLockedAsync(() => context.Get<MessageQueries>().PageAsync(new MessageFilter(), LogOrder.NewestFirst, 0, 50, CancellationToken.None));
        await AssertLockedAsync(() => context.Get<MessageStatistics>().CountByStatusAsync(CancellationToken.None));
        await AssertLockedAsync(() => context.Get<DeliverySettings>().PausedByAsync(CancellationToken.None));
        await AssertLockedAsync(() => context.Get<WriteKeyAdmin>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Writes_WhileAnotherProcessHoldsTheWriteLock_ThrowStorageUnavailable_AndChangeNothing()
    {
        await using var context = new PageContext(lockWaitSeconds: 1);
        var call = (await context.CallsAsync(Seed.Call("u1", MessageStatus.Failed)))[0];
        var settings = context.Get<DeliverySettings>();
        var writeKeys = context.Get<WriteKeyAdmin>();
        var overrides = context.Get<SettingsOverrides>();

        await using (await DatabaseLock.HoldAsync(TestDatabase.Sqlite(Path.GetDirectoryName(context.DatabasePath)!)))
        {
            // Set-based updates, tracked inserts (EF wraps the provider's exception) and plain SQL.
            await AssertLockedAsync(() => context.Get<RetryService>().RetryAsync(call.Id, Operator, CancellationToken.None));
            await AssertLockedAsync(() => writeKeys.CreateAsync("Website", Operator, CancellationToken.None));
            await AssertLockedAsync(() => settings.PauseAsync(Operator, CancellationToken.None));
            await AssertLockedAsync(() => overrides.SaveAsync(new Dictionary<string, string?> { [SettingKeys.RequestsPerMinute] = "600" }, Operator, CancellationToken.None));
        }

        Assert.Equal(MessageStatus.Failed, Assert.Single(await context.MessagesAsync()).Status);
        Assert.Empty(await writeKeys.ListAsync(CancellationToken.None));
        Assert.Null(await settings.PausedByAsync(CancellationToken.None));
        overrides.Reload();
        Assert.Empty(overrides.Current);
        Assert.Empty(await context.AuditAsync());
    }

    [Fact]
    public async Task Read_WithThePostgresServerUnreachable_ThrowsStorageUnavailable()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Userlist"] = $"Host=127.0.0.1;Port={ClosedPort()};Database=relay;Username=relay",
            ["Storage:WriteTimeoutSeconds"] = "5",
        }).Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging()
            .AddRelayCore(configuration).BuildServiceProvider();

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            services.GetRequiredService<MessageStatistics>().CountByStatusAsync(CancellationToken.None));

        Assert.Contains("Failed to connect", failure.Message);
    }

    [Fact]
    public async Task BadArgument_IsRefusedAsSuch_NotTakenForTheDatabasesTrouble()
    {
        await using var context = new PageContext();

        await Assert.ThrowsAsync<ArgumentException>(() => context.Get<WriteKeyAdmin>().CreateAsync(" ", Operator, CancellationToken.None));
    }

    private static async Task AssertLockedAsync(Func<Task> call)
    {
        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.Contains("database is locked", failure.Message);
    }

    /// <summary>A loopback port nothing listens on: connecting is refused at once.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
