using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Elects the one instance that dispatches: the holder of a PostgreSQL advisory lock, taken on a
/// connection of this service's own (not pooled) and held as long as the process lives. When the
/// process dies, the server ends its session and frees the lock, and another instance, trying every
/// couple of seconds, takes over. Once it dispatches, the same connection listens for the writers'
/// notifications, so calls ingested by any instance wake the dispatcher at once.
/// </summary>
internal sealed partial class PostgresDispatcherElection(
    PostgresConnections connections,
    OrphanedClaims orphans,
    ISettingsStore settings,
    TimeProvider time,
    ILogger<PostgresDispatcherElection> logger) : BackgroundService, IDispatcherRole
{
    /// <summary>The writers notify this channel after each commit that stored calls.</summary>
    public const string CallsChannel = "userlist_relay_calls";

    /// <summary>Where the dispatcher writes its name, for every instance's dashboard.</summary>
    public const string DispatcherSetting = "Relay:Dispatcher";

    /// <summary>The advisory lock's key: any number no other tool on the database uses ("ULRelay").</summary>
    private const long LockKey = 0x554C_5265_6C61_79;

    /// <summary>How often a standby tries to take the role, and the dispatcher checks its connection.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private static readonly string ThisInstance = $"{Environment.MachineName} (pid {Environment.ProcessId})";

    private volatile bool isDispatcher;
    private volatile string? dispatcher;

    public bool IsDispatcher => isDispatcher;

    public bool IsShared => true;

    public string? Dispatcher => dispatcher;

    public event Action<bool>? Changed;

    public event Action? CallsCommittedElsewhere;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await HoldOrWaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The connection is gone (or the role could not be taken), and with it any lock it
                // held: another instance may dispatch now. Never a crash: that would stop the host.
                Lose();
                LogConnectionLost(exception.Message);
                await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        Lose();
    }

    private async Task HoldOrWaitAsync(CancellationToken stoppingToken)
    {
        // Not the write timeout: losing the role over one slow statement on a loaded server would
        // return this instance's own claims while its pass still sends them. A dead server is noticed
        // by the keepalives.
        var builder = new NpgsqlConnectionStringBuilder(connections.DataSource.ConnectionString) { Pooling = false, KeepAlive = 10, CommandTimeout = 60 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(stoppingToken);
        connection.Notification += (_, _) => CallsCommittedElsewhere?.Invoke();
        // The server frees the lock when it sees the session end: at once when the process dies,
        // and within about 25 s when its machine does (instead of the system's two hours).
        await ExecuteAsync(connection, "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!isDispatcher && await TryLockAsync(connection, stoppingToken))
            {
                // Only the dispatcher hears the writers (a standby woken by every commit would query
                // as often): listening before it claims anything, it misses no commit after its first pass.
                await ExecuteAsync(connection, $"LISTEN {CallsChannel}", stoppingToken);
                await TakeRoleAsync(stoppingToken);
            }
            else if (!isDispatcher)
            {
                dispatcher = settings.Read().GetValueOrDefault(DispatcherSetting);
            }

            // A dead connection throws here or at the next statement.
            await WaitOutIntervalAsync(connection, stoppingToken);
            await ExecuteAsync(connection, "SELECT 1", stoppingToken);
        }
    }

    /// <summary>
    /// Waits the interval on the connection, handing on notifications as they arrive: Npgsql's wait
    /// returns at each one, and the interval's statements run once per interval, not once per commit.
    /// </summary>
    private static async Task WaitOutIntervalAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        // Real time, as Npgsql's wait is.
        var started = Stopwatch.GetTimestamp();
        for (var left = Interval; left > TimeSpan.Zero; left = Interval - Stopwatch.GetElapsedTime(started))
        {
            if (!await connection.WaitAsync(left, stoppingToken))
            {
                return;
            }
        }
    }

    private async Task TakeRoleAsync(CancellationToken stoppingToken)
    {
        // The claims of a dispatcher that is gone are due again before this one claims anything.
        await orphans.ReturnAsync(stoppingToken);
        await settings.SaveAsync(new Dictionary<string, string?> { [DispatcherSetting] = ThisInstance }, time.GetUtcNow().UtcDateTime, stoppingToken);
        dispatcher = ThisInstance;
        isDispatcher = true;
        LogTook(ThisInstance);
        Changed?.Invoke(true);
    }

    private void Lose()
    {
        if (isDispatcher)
        {
            isDispatcher = false;
            dispatcher = null;
            Changed?.Invoke(false);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance, {Instance}, dispatches to Userlist now")]
    private partial void LogTook(string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection that elects the dispatcher ({Reason}); trying again")]
    private partial void LogConnectionLost(string reason);
}
