using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database file on its own connection and thread, every
/// second while calls arrive, so the ingest writer spends its time on inserts. Passive: it never
/// waits for readers or blocks writers.
/// </summary>
public sealed partial class WalCheckpointer(
    MessageWriter writer,
    IOptions<StorageOptions> options,
    TimeProvider time,
    ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>On a thread of its own: a checkpoint blocks while it copies and fsyncs, and the thread pool serves requests.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var pending = 1;
        writer.Committed += rows => Interlocked.Add(ref pending, rows);
        using var connection = new SqliteConnection(options.Value.ConnectionString);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                if (Interlocked.Exchange(ref pending, 0) > 0)
                {
                    Checkpoint(connection);
                }
            }
            while (timer.WaitForNextTickAsync(stoppingToken).AsTask().GetAwaiter().GetResult());
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Checkpoint(SqliteConnection connection)
    {
        try
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                connection.Open();
            }

            using var command = connection.CreateCommand();
            // Also cap the log file's size once a checkpoint has emptied it.
            command.CommandText = "PRAGMA journal_size_limit=67108864; PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
        }
        catch (SqliteException exception)
        {
            LogCheckpointFailed(exception.SqliteErrorCode, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WAL checkpoint failed (SQLite error {Code}): {Reason}; will try again")]
    private partial void LogCheckpointFailed(int code, string reason);
}
