using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>The relay with Storage:Provider=Postgres, on a real server: a call in, stored once, out to Userlist.</summary>
public sealed class PostgresRelayTests
{
    [SkippableFact]
    public async Task Call_SentTwice_IsStoredOnce()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Postgres);
        await using var relay = new RelayFactory(database);
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();

        var stored = Assert.Single(await relay.MessagesAsync());
        Assert.Equal(MessageStatus.Pending, stored.Status);
    }

    [SkippableFact]
    public async Task Identify_IsDeliveredToUserlist()
    {
        await using var harness = await DeliveryHarness.StartAsync(StorageKind.Postgres);

        await (await harness.Client.SendAsync(harness.Relay.Post("/v1/identify", """{"userId":"u","traits":{"email":"a@b.c"},"messageId":"m1"}"""))).AssertSuccessAsync();

        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).Single().Status == MessageStatus.Delivered, "the call is delivered");
        Assert.Equal("/users", Assert.Single(harness.Userlist.Requests).Path);
    }
}
