using Userlist.Core.Segment;

namespace Userlist.Tests.Segment;

public sealed class SegmentTimestampTests
{
    [Theory]
    [InlineData("2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T12:00:00.1234567Z", "2024-05-01T12:00:00.1234567+00:00")]
    [InlineData("2024-05-01T14:00:00.1234567+02:00", "2024-05-01T14:00:00.1234567+02:00")]
    [InlineData("2024-05-01T12:00:00.123+00:00", "2024-05-01T12:00:00.1230000+00:00")]
    [InlineData("2024-05-01T05:00:00.123456789-07:00", "2024-05-01T05:00:00.1234567-07:00")]
    [InlineData("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01T12:00:00", "2024-05-01T12:00:00.0000000+00:00")]
    [InlineData("2024-05-01", "2024-05-01T00:00:00.0000000+00:00")]
    [InlineData("2015-2-02T00:30:08.276Z", "2015-02-02T00:30:08.2760000+00:00")]
    [InlineData("2024-05-01T12:00:00+0530", "2024-05-01T12:00:00.0000000+05:30")]
    public void TryParse_FormatsClientsSend_Parses(string text, string expected)
    {
        Assert.True(SegmentTimestamp.TryParse(text, out var value));
        Assert.Equal(expected, value.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-02-30T00:00:00Z")]
    [InlineData("2024-05-01T25:00:00Z")]
    [InlineData("1714564800")]
    public void TryParse_Nonsense_IsRefused(string? text)
    {
        Assert.False(SegmentTimestamp.TryParse(text, out _));
    }

    [Theory]
    [InlineData("2024-05-01T12:00:09.5+00:00", "2024-05-01T12:00:09.500Z")]
    [InlineData("2024-05-01T12:00:09.1234567+00:00", "2024-05-01T12:00:09.1234567Z")]
    [InlineData("2024-05-01T05:00:10.3641976-07:00", "2024-05-01T05:00:10.3641976-07:00")]
    [InlineData("2024-05-01T12:00:00+00:00", "2024-05-01T12:00:00.000Z")]
    public void Format_KeepsOffsetAndPrecision(string value, string expected)
    {
        Assert.Equal(expected, SegmentTimestamp.Format(DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
