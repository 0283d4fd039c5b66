using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;

namespace Userlist.Tests.Storage;

/// <summary>The relay with Storage:Provider=Postgres, on a real server: a call in, stored once, out to Userlist.</summary>
public sealed class PostgresRelayTests
{
    [SkippableFact]
    public async Task FirstStart_OnAnEmptyDatabase_LogsNoError()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var relay = new RelayFactory { Postgres = database };
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();

        Assert.DoesNotContain(relay.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Call_SentTwice_IsStoredOnce()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var relay = new RelayFactory { Postgres = database };
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();
        await (await client.SendAsync(relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m1"}"""))).AssertSuccessAsync();

        var stored = Assert.Single(await relay.MessagesAsync());
        Assert.Equal(MessageStatus.Pending, stored.Status);
    }

    [SkippableFact]
    public async Task Identify_IsDeliveredToUserlist()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var harness = await DeliveryHarness.StartAsync(postgres: database);

        await (await harness.Client.SendAsync(harness.Relay.Post("/v1/identify", """{"userId":"u","traits":{"email":"a@b.c"},"messageId":"m1"}"""))).AssertSuccessAsync();

        await Eventually.HoldsAsync(async () => (await harness.Relay.MessagesAsync()).Single().Status == MessageStatus.Delivered, "the call is delivered");
        Assert.Equal("/users", Assert.Single(harness.Userlist.Requests).Path);
    }
}
