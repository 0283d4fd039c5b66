using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The built relay run as `dotnet Userlist.Dashboard.dll`, the way it is deployed, in a folder of
/// its own (its working directory, and its database unless told otherwise), with its output kept.
/// </summary>
public sealed class RelayProcess : IAsyncDisposable
{
    /// <summary>Address settings the test runner itself may carry; each test gives its own or none.</summary>
    private static readonly string[] InheritedAddressVariables =
        ["Urls", "URLS", "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_HTTP_PORTS", "DOTNET_HTTPS_PORTS", "HTTP_PORTS", "HTTPS_PORTS"];

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly ConcurrentQueue<string> errors = new();

    private RelayProcess(Process process) => this.process = process;

    /// <summary>Standard output, line by line.</summary>
    public IReadOnlyList<string> Output => [.. output];

    /// <summary>Standard error, line by line.</summary>
    public IReadOnlyList<string> Errors => [.. errors];

    public static string DatabasePath(string folder) => Path.Combine(folder, "relay.db");

    /// <param name="environment">Variables to set; a null value leaves one unset.</param>
    public static RelayProcess Start(string folder, Dictionary<string, string?>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Userlist.Dashboard.dll"), .. arguments])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in InheritedAddressVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["ConnectionStrings__Userlist"] = $"Data Source={DatabasePath(folder)}";
        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var relay = new RelayProcess(new Process { StartInfo = start });
        relay.process.OutputDataReceived += (_, line) => Keep(relay.output, line.Data);
        relay.process.ErrorDataReceived += (_, line) => Keep(relay.errors, line.Data);
        relay.process.Start();
        relay.process.BeginOutputReadLine();
        relay.process.BeginErrorReadLine();
        return relay;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <c>/healthz</c> at the address answers 200, failing if the relay exits first.</summary>
    public async Task UntilAnswersAsync(Uri address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async () =>
        {
            Assert.False(process.HasExited, $"the relay exited with {(process.HasExited ? process.ExitCode : 0)}: {string.Join(Environment.NewLine, Errors)}");
            try
            {
                return (await http.GetAsync(new Uri(address, "/healthz"))).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the relay answers at {address}", TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits for the relay to exit on its own and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode;
    }

    /// <summary>SIGTERM, as a deploy or Ctrl-C stops it; returns the exit code once the process has exited.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"the relay did not exit within {within.TotalSeconds} s of SIGTERM");
        }

        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
