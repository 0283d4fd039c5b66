using Microsoft.AspNetCore.Http;
using Userlist.Dashboard.Ingest;

namespace Userlist.Tests.Ingest;

/// <summary>The handlers called directly: their typed results say the status and the body.</summary>
public sealed class IngestEndpointsTests
{
    [Fact]
    public void UnknownPath_NotFoundInSegmentsErrorShape()
    {
        var answer = IngestEndpoints.UnknownPath();

        Assert.Equal(StatusCodes.Status404NotFound, answer.StatusCode);
        Assert.Equal("not_found", answer.Value?.Code);
        Assert.False(answer.Value?.Success);
        Assert.Equal(answer.Value?.Message, answer.Value?.Error);
    }

    [Fact]
    public void MethodNotAllowed_405NamingPost()
    {
        var http = new DefaultHttpContext();

        var answer = IngestEndpoints.MethodNotAllowed(http);

        Assert.Equal(StatusCodes.Status405MethodNotAllowed, answer.StatusCode);
        Assert.Equal("method_not_allowed", answer.Value?.Code);
        Assert.Equal("POST", http.Response.Headers.Allow.ToString());
    }
}
