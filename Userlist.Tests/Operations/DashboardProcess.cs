using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>The built output run as deployed, <c>dotnet Userlist.Dashboard.dll ...</c>, in a folder of the test's, on its own database.</summary>
internal sealed class DashboardProcess : IDisposable
{
    public const string WriteKey = "ops-key";

    private readonly Process process;

    private DashboardProcess(Process process, Uri address) => (this.process, Address) = (process, address);

    public Uri Address { get; }

    /// <summary>The relay as a server, once it answers.</summary>
    public static async Task<DashboardProcess> StartRelayAsync(string folder, string databasePath)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = StartInfo(folder, databasePath, []);
        start.Environment["Urls"] = address.ToString();
        start.Environment["Ingest__WriteKeys__0"] = WriteKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(process.HasExited, "the relay exited at start");
            try
            {
                return (await http.GetAsync(new Uri(address, "/v1/batch"))).StatusCode == HttpStatusCode.MethodNotAllowed;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the relay answers", TimeSpan.FromSeconds(60));
        return new DashboardProcess(process, address);
    }

    /// <summary>A command run to its end: its exit code and what it wrote.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, string databasePath, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(folder, databasePath, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>A Segment track call, answered 200 once stored.</summary>
    public async Task<HttpStatusCode> TrackAsync(string messageId)
    {
        using var http = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/track")
        {
            Content = new StringContent($$"""{"userId":"u","event":"E","messageId":"{{messageId}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WriteKey + ":")));
        return (await http.SendAsync(request)).StatusCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string folder, string databasePath, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Userlist.Dashboard.dll"), .. arguments])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Userlist"] = $"Data Source={databasePath}";
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
