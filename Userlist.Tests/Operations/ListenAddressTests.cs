using System.Net;
using System.Net.Sockets;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>The built relay listens wherever any one of ASP.NET Core's usual address settings says, and on http://localhost:5080 when none does.</summary>
[Collection(RelayProcessCollection.Name)]
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("Urls")]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("ASPNETCORE_HTTP_PORTS")]
    [InlineData("--urls")]
    public async Task Start_AddressGivenOneWayOnly_AnswersThere(string how)
    {
        using var folder = new TemporaryFolder();
        var port = RelayProcess.FreePort();
        var address = $"http://127.0.0.1:{port}";
        var (environment, arguments) = how switch
        {
            "--urls" => (new Dictionary<string, string?>(), new[] { "--urls", address }),
            "ASPNETCORE_HTTP_PORTS" => (new() { [how] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, []),
            _ => (new Dictionary<string, string?> { [how] = address }, Array.Empty<string>()),
        };

        await using var relay = RelayProcess.Start(folder.Path, environment, arguments);

        await relay.UntilAnswersAsync(new Uri(address));
    }

    [SkippableFact]
    public async Task Start_NoAddressGiven_AnswersAtLocalhost5080()
    {
        Skip.IfNot(PortIsFree(5080), "something else on this machine listens on port 5080");
        using var folder = new TemporaryFolder();

        await using var relay = RelayProcess.Start(folder.Path);

        await relay.UntilAnswersAsync(new Uri("http://localhost:5080"));
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
