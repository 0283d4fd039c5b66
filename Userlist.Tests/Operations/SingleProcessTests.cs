using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>One relay process per SQLite database: a second would dispatch too, breaking per-user order and the rate limit.</summary>
[Collection(RelayProcessCollection.Name)]
public sealed class SingleProcessTests
{
    [Fact]
    public async Task SecondRelay_SameDatabase_RefusesWithOneLineAndExitCode1()
    {
        using var folder = new TemporaryFolder();
        var address = new Uri($"http://127.0.0.1:{RelayProcess.FreePort()}");
        await using var first = RelayProcess.Start(folder.Path, new() { ["Urls"] = address.ToString() });
        await first.UntilAnswersAsync(address);

        await using var second = RelayProcess.Start(folder.Path, new() { ["Urls"] = $"http://127.0.0.1:{RelayProcess.FreePort()}" });

        Assert.Equal(1, await second.ExitCodeAsync());
        var line = Assert.Single(second.Errors, l => l.Length > 0);
        Assert.Contains("Another relay is already running on", line, StringComparison.Ordinal);
        Assert.Contains(RelayProcess.DatabasePath(folder.Path), line, StringComparison.Ordinal);
        Assert.DoesNotContain(second.Output, l => l.Contains("Exception", StringComparison.Ordinal));
        // The first one carries on.
        await first.UntilAnswersAsync(address);
    }

    [Fact]
    public async Task KilledRelay_RestartedOnTheSameDatabase_Starts()
    {
        using var folder = new TemporaryFolder();
        var address = new Uri($"http://127.0.0.1:{RelayProcess.FreePort()}");
        await using (var killed = RelayProcess.Start(folder.Path, new() { ["Urls"] = address.ToString() }))
        {
            await killed.UntilAnswersAsync(address);
            killed.Kill();
        }

        await using var restarted = RelayProcess.Start(folder.Path, new() { ["Urls"] = address.ToString() });

        await restarted.UntilAnswersAsync(address);
        Assert.DoesNotContain(restarted.Errors, l => l.Length > 0);
    }
}
