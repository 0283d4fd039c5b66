using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The relay run as `dotnet Userlist.Dashboard.dll`, the way it is deployed, on its own files in a
/// folder, pointed at a fake Userlist. It can be stopped as a deploy does (SIGTERM) or killed as a
/// crash does (SIGKILL), and started again on the same files.
/// </summary>
public sealed class RelayProcess(string folder, Uri userlist, string writeKey, Dictionary<string, string>? settings = null)
{
    private Process? process;

    public int Port { get; } = FreePort();

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public string DatabasePath => Path.Combine(folder, "relay.db");

    /// <summary>Starts the process and returns once it answers HTTP.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Userlist.Dashboard.dll")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Urls"] = Address.ToString();
        start.Environment["ConnectionStrings__Userlist"] = $"Data Source={DatabasePath}";
        start.Environment["Ingest__WriteKeys__0"] = writeKey;
        start.Environment["Userlist__PushApiUrl"] = userlist.ToString();
        start.Environment["Userlist__PushKey"] = "push-key";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? [])
        {
            start.Environment[key] = value;
        }

        process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(process.HasExited, $"the relay exited with {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                return (await http.GetAsync(new Uri(Address, "/v1/batch"))).StatusCode == HttpStatusCode.MethodNotAllowed;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the relay answers", TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGTERM, as a deploy or Ctrl-C stops it; returns the exit code once the process has exited.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        var running = process ?? throw new InvalidOperationException("The relay was not started");
        using (var signal = Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(within);
        try
        {
            await running.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"the relay did not exit within {within.TotalSeconds} s of SIGTERM");
        }

        return running.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
