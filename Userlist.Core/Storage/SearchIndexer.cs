using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Settings;

namespace Userlist.Core.Storage;

/// <summary>
/// Keeps the free-text index (<c>MessageSearch</c>) up with the log, a moment behind ingest:
/// tokenising on the insert path would cost ingest a large share of its throughput, so new calls
/// are indexed here in chunks after each commit. Search covers a call within about a second.
/// </summary>
public sealed partial class SearchIndexer(
    MessageWriter writer,
    IOptions<StorageOptions> options,
    ILogger<SearchIndexer> logger) : BackgroundService
{
    /// <summary>Calls per transaction: short enough that ingest never waits long for the write lock.</summary>
    private const int Chunk = 2_000;

    private readonly SemaphoreSlim newCalls = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        writer.Committed += Wake;
        try
        {
            await using var connection = new SqliteConnection(options.Value.ConnectionString);
            await connection.OpenAsync(stoppingToken);
            new SqlitePragmas(options.Value.WriteTimeoutSeconds * 1000).Apply(connection);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    while (IndexChunk(connection) == Chunk && !stoppingToken.IsCancellationRequested)
                    {
                        // Give the write lock back between chunks while catching up.
                        await Task.Yield();
                    }
                }
                catch (SqliteException exception)
                {
                    LogIndexFailed(exception.Message);
                }

                // The safety net for a missed wake-up (a commit during a chunk) is the timeout.
                await newCalls.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
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
