namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The built relay as its own process, delivering to a fake Userlist, run in a folder and on a
/// database both kept across restarts (by default the SQLite file in the folder): stopped as a
/// deploy does (SIGTERM) or killed as a crash does (SIGKILL), and started again on the same
/// database and port.
/// </summary>
public sealed class DeliveringRelay(string folder, Uri userlist, string writeKey, Dictionary<string, string?>? settings = null, TestDatabase? database = null)
{
    private RelayProcess? process;

    public int Port { get; } = RelayProcess.FreePort();

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public TestDatabase Database { get; } = database ?? TestDatabase.Sqlite(folder);

    public string DatabasePath => Database.SqlitePath;

    /// <summary>Starts the process and returns once it answers.</summary>
    public async Task StartAsync()
    {
        var environment = new Dictionary<string, string?>(Database.Environment)
        {
            ["Urls"] = Address.ToString(),
            ["Ingest__WriteKeys__0"] = writeKey,
            ["Userlist__PushApiUrl"] = userlist.ToString(),
            ["Userlist__PushKey"] = "push-key",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? [])
        {
            environment[key] = value;
        }

        process = RelayProcess.Start(folder, environment);
        await process.UntilAnswersAsync(Address);
    }

    /// <summary>SIGTERM; returns the exit code once the process has exited.</summary>
    public Task<int> StopAsync(TimeSpan within) => Running.StopAsync(within);

    /// <summary>SIGKILL: no shutdown, no flushing, as a crash or an OOM kill.</summary>
    public void Kill() => process?.Kill();

    private RelayProcess Running => process ?? throw new InvalidOperationException("The relay was not started");
}
