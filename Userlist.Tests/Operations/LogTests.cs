using System.Text.Json;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>The relay's console log: JSON when configured, and quiet about routine work.</summary>
[Collection(RelayProcessCollection.Name)]
public sealed class LogTests
{
    [Fact]
    public async Task JsonFormatterConfigured_EveryConsoleLineIsAJsonLogEntry()
    {
        using var folder = new TemporaryFolder();
        var address = new Uri($"http://127.0.0.1:{RelayProcess.FreePort()}");

        await using var relay = RelayProcess.Start(folder.Path, new() { ["Urls"] = address.ToString(), ["Logging__Console__FormatterName"] = "json" });
        await relay.UntilAnswersAsync(address);
        await Eventually.HoldsAsync(() => Task.FromResult(relay.Output.Any(l => l.Contains("Now listening on", StringComparison.Ordinal))),
            "the relay logs where it listens");

        var entries = relay.Output.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(entries, entry => Assert.True(entry.TryGetProperty("LogLevel", out _) && entry.TryGetProperty("Category", out _)));
        Assert.Contains(entries, entry => entry.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime"
            && entry.GetProperty("Message").GetString() == $"Now listening on: {address.ToString().TrimEnd('/')}");
    }

    [Fact]
    public async Task DeliveringACall_LogsNoHttpClientLinesAtInformation()
    {
        await using var harness = await DeliveryHarness.StartAsync();

        await harness.SendAsync("/v1/track", """{"userId":"u","event":"E","messageId":"quiet"}""");
        await harness.UntilStatusAsync("quiet", MessageStatus.Delivered);

        Assert.Single(harness.Userlist.Requests);
        Assert.DoesNotContain(harness.Relay.Logs.Lines, line => !line.StartsWith("Debug ", StringComparison.Ordinal)
            && !line.StartsWith("Trace ", StringComparison.Ordinal) && line.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_HangfireHousekeeping_LoggedAtDebugNotInformation()
    {
        // Its own process: Hangfire logs through a process-wide provider, which in-process test hosts share.
        using var folder = new TemporaryFolder();
        var address = new Uri($"http://127.0.0.1:{RelayProcess.FreePort()}");

        // An operator who asks for Hangfire's detail still gets it.
        await using var relay = RelayProcess.Start(folder.Path, new()
        {
            ["Urls"] = address.ToString(),
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Hangfire"] = "Debug",
        });
        await relay.UntilAnswersAsync(address);
        await Eventually.HoldsAsync(() => Task.FromResult(Entries(relay).Any(e =>
                e.Category.StartsWith("Hangfire", StringComparison.Ordinal) && e.Level == "Debug" && e.Message.Contains("all the dispatchers started", StringComparison.Ordinal))),
            "Hangfire's server has started, saying so at Debug", TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(Entries(relay), e => e.Category.StartsWith("Hangfire", StringComparison.Ordinal) && e.Level == "Information");
    }

    private static List<(string Category, string Level, string Message)> Entries(RelayProcess relay) =>
        [.. relay.Output.Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e.GetProperty("Category").GetString()!, e.GetProperty("LogLevel").GetString()!, e.GetProperty("Message").GetString()!))];
}
