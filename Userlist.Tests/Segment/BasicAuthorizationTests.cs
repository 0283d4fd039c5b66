using Userlist.Core.Segment;

namespace Userlist.Tests.Segment;

public sealed class BasicAuthorizationTests
{
    [Theory]
    [InlineData("Basic d2tfdGVzdF8xMjM6", "wk_test_123")]
    [InlineData("Basic d2tfdGVzdF8xMjM=", "wk_test_123")]
    [InlineData("basic d2tfdGVzdF8xMjM6", "wk_test_123")]
    [InlineData("Basic !!!", null)]
    [InlineData("Bearer abc", null)]
    [InlineData("Basic Og==", null)]
    [InlineData(null, null)]
    public void BasicAuthorization_UserName_IsTheWriteKey(string? header, string? expected)
    {
        Assert.Equal(expected, BasicAuthorization.UserName(header));
    }
}
