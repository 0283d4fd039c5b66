using System.Diagnostics;
using System.Text.Json;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// Runs the real Segment client, @segment/analytics-node, from Userlist.Tests/Clients. Tests that
/// need it are skipped with instructions when node or the npm packages are missing, except under
/// CI=true, where that is a failure.
/// </summary>
public static class NodeClient
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ClientsFolder { get; } = Path.Combine(RepositoryRoot, "Userlist.Tests", "Clients");

    public static void SkipUnlessInstalled()
    {
        var problem = !CommandExists("node")
            ? "node is not installed (apt-get install -y nodejs npm)"
            : !Directory.Exists(Path.Combine(ClientsFolder, "node_modules", "@segment", "analytics-node"))
                ? $"the Segment client is not installed (cd {ClientsFolder} && npm ci)"
                : null;
        Prerequisite.SkipOrFailIfMissing(problem, "the real Segment client");
    }

    public sealed record SendResult(List<string> Acknowledged, List<FailedCall> Failed);

    public sealed record FailedCall(string? MessageId, string Reason);

    /// <param name="environment">MAX_RETRIES (the client's, default 3) and DELAY_MS (between calls, default 0).</param>
    public static async Task<SendResult> SendAsync(
        Uri relay, string writeKey, IEnumerable<object> calls, CancellationToken cancellationToken = default, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("node", ["send-calls.mjs", relay.ToString().TrimEnd('/'), writeKey])
        {
            WorkingDirectory = ClientsFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(calls));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {await errors}");
        return JsonSerializer.Deserialize<SendResult>(await output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, name)));

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Userlist.Dashboard.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Userlist.Dashboard.sln not found above " + AppContext.BaseDirectory);
    }
}
