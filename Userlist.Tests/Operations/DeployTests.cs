using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>deploy/userlist-relay.service as systemd reads it.</summary>
public sealed class DeployTests
{
    private static readonly string Unit = Path.Combine(NodeClient.RepositoryRoot, "deploy", "userlist-relay.service");

    [SkippableFact]
    public async Task ServiceUnit_SystemdAnalyzeVerify_ReportsNoProblem()
    {
        var analyze = FindOnPath("systemd-analyze");
        Skip.If(analyze is null, "systemd-analyze is not installed (Debian: apt-get install systemd); the unit was not verified");
        using var folder = new TemporaryFolder();

        // verify wants ExecStart's program to exist and be executable: a stand-in for /usr/bin/dotnet.
        var dotnet = Path.Combine(folder.Path, "dotnet");
        await File.WriteAllTextAsync(dotnet, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        var unit = Path.Combine(folder.Path, "userlist-relay.service");
        await File.WriteAllTextAsync(unit, (await File.ReadAllTextAsync(Unit)).Replace("ExecStart=/usr/bin/dotnet ", $"ExecStart={dotnet} ", StringComparison.Ordinal));

        var start = new ProcessStartInfo(analyze!, ["verify", unit]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        // Unknown keys and bad values are only warnings (exit code 0): any line about our unit is a problem.
        var problems = (await output + await errors).Split('\n').Where(l => l.Contains("userlist-relay.service", StringComparison.Ordinal)).ToList();
        Assert.True(process.ExitCode == 0 && problems.Count == 0, $"exit code {process.ExitCode}: {string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public async Task ServiceUnit_StopTimeout_ExceedsTheRelaysOwnStopWithMargin()
    {
        var settings = (await File.ReadAllLinesAsync(Unit))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0], p => p[1])
            .ToDictionary(g => g.Key, g => g.ToList());
        // The time the relay gives its own planned stop, with the default configuration (it grows with Userlist:TimeoutSeconds).
        await using var relay = new RelayFactory();
        var relayStop = relay.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.TotalSeconds;

        // SIGTERM starts the relay's planned stop; systemd's SIGKILL must not come before it ends.
        Assert.Equal(["SIGTERM"], settings["KillSignal"]);
        var stopTimeout = int.Parse(Assert.Single(settings["TimeoutStopSec"]), CultureInfo.InvariantCulture);
        Assert.True(stopTimeout >= relayStop + 15, $"TimeoutStopSec={stopTimeout} leaves too little room after the relay's own {relayStop} s stop");
        Assert.Equal(["on-failure"], settings["Restart"]);
        Assert.Contains(settings["Environment"], e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal));
        Assert.Equal(settings["WorkingDirectory"], settings["ReadWritePaths"]);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
