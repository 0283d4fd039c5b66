using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.PushApi;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

public sealed class ConnectionCheckTests
{
    [Theory]
    [InlineData(422, ConnectionState.Valid)]
    [InlineData(202, ConnectionState.Valid)]
    [InlineData(401, ConnectionState.InvalidKey)]
    [InlineData(403, ConnectionState.InvalidKey)]
    [InlineData(503, ConnectionState.Unreachable)]
    public async Task CheckKey_ClassifiesUserlistsAnswerToAnEmptyPush(int status, ConnectionState expected)
    {
        await using var harness = await DeliveryHarness.StartAsync(u => u.Script = _ => Task.FromResult<FakeUserlist.Scripted?>(new(status)), pushKey: null);
        var client = harness.Relay.Services.GetRequiredService<PushApiClient>();

        var check = await client.CheckKeyAsync(harness.Userlist.Url, "some-key", CancellationToken.None);

        Assert.Equal(expected, check.State);
        var request = Assert.Single(harness.Userlist.Requests);
        Assert.Equal(("POST", "/users", "{}"), (request.Method, request.Path, request.Body));
    }

    [Fact]
    public async Task CheckKey_NothingListening_IsUnreachable()
    {
        await using var harness = await DeliveryHarness.StartAsync(pushKey: null);
        var client = harness.Relay.Services.GetRequiredService<PushApiClient>();

        var check = await client.CheckKeyAsync(new Uri("http://127.0.0.1:9/"), "some-key", CancellationToken.None);

        Assert.Equal(ConnectionState.Unreachable, check.State);
        Assert.Contains("Could not reach Userlist", check.Detail, StringComparison.Ordinal);
    }
}
