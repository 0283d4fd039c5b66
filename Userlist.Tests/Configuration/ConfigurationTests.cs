using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Configuration;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task RootAppSettings_IsLoadedByTheHost_ItsKeysBind()
    {
        await using var relay = new RelayFactory();

        // UserlistOptions has no default URL: this value can only come from the root appsettings.json.
        var userlist = relay.Services.GetRequiredService<IOptions<UserlistOptions>>().Value;
        Assert.Equal("https://push.userlist.com", userlist.PushApiUrl);
        Assert.Equal(1000, userlist.RequestsPerMinute);
    }

    [Fact]
    public async Task EnvironmentStyleOverride_WinsOverAppSettings()
    {
        await using var relay = new RelayFactory { Settings = { ["Userlist:RequestsPerMinute"] = "60" } };

        Assert.Equal(60, relay.Services.GetRequiredService<IOptions<UserlistOptions>>().Value.RequestsPerMinute);
    }

    [Fact]
    public async Task InvalidSetting_StopsTheStartWithAMessageNamingTheKey()
    {
        await using var relay = new RelayFactory { Settings = { ["Userlist:RequestsPerMinute"] = "0" } };

        var failure = Assert.ThrowsAny<Exception>(() => relay.CreateClient());

        Assert.Contains("Userlist:RequestsPerMinute", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryMaxDelayBelowInitialDelay_StopsTheStartWithAMessageNamingBothKeys()
    {
        await using var relay = new RelayFactory
        {
            Settings = { ["Delivery:RetryInitialDelaySeconds"] = "60", ["Delivery:RetryMaxDelaySeconds"] = "30" },
        };

        var failure = Assert.ThrowsAny<Exception>(() => relay.CreateClient());

        Assert.Contains("Delivery:RetryMaxDelaySeconds must be at least Delivery:RetryInitialDelaySeconds", failure.ToString(), StringComparison.Ordinal);
    }
}
