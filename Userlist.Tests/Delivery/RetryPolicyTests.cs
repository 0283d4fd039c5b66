using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Delivery;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(7, 640)]
    [InlineData(9, 2560)]
    [InlineData(10, 3600)]
    public void RetryPolicy_WithoutJitter_DoublesFrom10SecondsUpTo1Hour(int attemptsMade, double expectedSeconds)
    {
        var policy = new RetryPolicy(new StaticOptions<DeliveryOptions>(new DeliveryOptions { MaxAttempts = 20 }));

        Assert.Equal(expectedSeconds, policy.NextDelay(attemptsMade, 0.5)!.Value.TotalSeconds, precision: 6);
        Assert.Null(new RetryPolicy(new StaticOptions<DeliveryOptions>(new DeliveryOptions())).NextDelay(8, 0.5));
    }
}
