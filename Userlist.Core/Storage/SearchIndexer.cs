using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Settings;

namespace Userlist.Core.Storage;

/// <summary>
/// Keeps the free-text index (<c>MessageSearch</c>) up with the log, behind ingest: tokenising on
/// the insert path would cost ingest a large share of its throughput, so new calls are indexed
/// here in small chunks, each when no ingest write is waiting. Ingest always comes first: search
/// covers a call within about a second at ordinary rates, and catches up after a burst.
/// </summary>
public sealed partial class SearchIndexer(
    MessageWriter writer,
    IOptions<StorageOptions> options,
    ILogger<SearchIndexer> logger) : BackgroundService
{
    /// <summary>Calls per transaction: short enough that ingest never waits long for the write lock.</summary>
    private const int Chunk = 500;

    /// <summary>How often to look again for a gap in ingest while writes are waiting.</summary>
    private static readonly TimeSpan IngestBusyRecheck = TimeSpan.FromMilliseconds(50);

    private readonly SemaphoreSlim newCalls = new(0, 1);

    // One dedicated thread: SQLite's allocations during indexing stay in one malloc arena instead
    // of one per thread-pool thread that happens to run a chunk (measured: 70 MB more RSS).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        writer.Committed += Wake;
        try
        {
            using var connection = new SqliteConnection(options.Value.ConnectionString);
            connection.Open();
            new SqlitePragmas(options.Value.WriteTimeoutSeconds * 1000).Apply(connection);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    do
                    {
                        // Give way: a request waiting on a commit matters more than search being current.
                        while (writer.WritesInFlight > 0 && !stoppingToken.WaitHandle.WaitOne(IngestBusyRecheck))
                        {
                        }
                    }
                    while (!stoppingToken.IsCancellationRequested && IndexChunk(connection) == Chunk);
                }
                catch (SqliteException exception)
                {
                    LogIndexFailed(exception.Message);
                }

                // The safety net for a missed wake-up (a commit during a chunk) is the timeout.
                newCalls.Wait(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            writer.Committed -= Wake;
        }
    }

    /// <summary>Indexes the next calls after the newest one indexed; returns how many.</summary>
    internal static int IndexChunk(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var index = connection.CreateCommand();
        index.Transaction = transaction;
        index.CommandText = """
            INSERT INTO MessageSearch (rowid, Payload)
            SELECT Id, Payload FROM Messages
            WHERE Id > coalesce((SELECT rowid FROM MessageSearch ORDER BY rowid DESC LIMIT 1), 0)
            ORDER BY Id LIMIT $chunk
            """;
        index.Parameters.AddWithValue("$chunk", Chunk);
        var indexed = index.ExecuteNonQuery();
        transaction.Commit();
        return indexed;
    }

    private void Wake(int added)
    {
        if (added > 0 && newCalls.CurrentCount == 0)
        {
            try
            {
                newCalls.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Free-text index could not catch up ({Reason}); retrying after the next commit")]
    private partial void LogIndexFailed(string reason);
}
