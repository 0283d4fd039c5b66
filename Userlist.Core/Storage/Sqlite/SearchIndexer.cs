using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// Keeps the free-text index (<c>MessageSearch</c>) up with the log, behind ingest: tokenising on
/// the insert path would cost ingest a large share of its throughput, so new calls are indexed
/// here in small chunks, each when no ingest write is waiting. Ingest always comes first: search
/// covers a call within about a second at ordinary rates, and catches up after a burst.
/// </summary>
internal sealed partial class SearchIndexer(
    MessageWriter writer,
    SqliteConnections connections,
    SqliteWriteTurns turns,
    ILogger<SearchIndexer> logger) : BackgroundService
{
    /// <summary>Calls per transaction: short enough that ingest never waits long for the write lock.</summary>
    private const int Chunk = 500;

    /// <summary>Index pages one merge step writes at most: a few milliseconds of holding the write lock.</summary>
    private const int MergePages = 100;

    private readonly WakeUp newCalls = new();

    // One dedicated thread: SQLite's allocations during indexing stay in one malloc arena instead
    // of one per thread-pool thread that happens to run a chunk (measured: 70 MB more RSS).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        writer.Committed += Wake;
        try
        {
            using var connection = connections.Open();
            var mergingInSteps = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!mergingInSteps)
                    {
                        using (turns.Take())
                        {
                            MergeOnlyInSteps(connection);
                        }

                        mergingInSteps = true;
                    }

                    int indexed;
                    do
                    {
                        writer.WaitForGap(stoppingToken);
                        using (turns.Take())
                        {
                            indexed = IndexChunk(connection);
                        }

                        while (!stoppingToken.IsCancellationRequested && writer.WaitForGap(stoppingToken) && MergeStepInTurn(connection))
                        {
                        }
                    }
                    while (!stoppingToken.IsCancellationRequested && indexed == Chunk);
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

    /// <summary>
    /// FTS5 merges its index segments inside the transaction that adds rows, and now and then a
    /// merge of large segments runs for seconds (measured on 2.7 million calls: up to 2.1 s for one
    /// 500-call chunk), holding the write lock while ingest waits. Automatic merging is turned off;
    /// the indexer merges in small steps instead, each its own short transaction, between ingest's
    /// commits. The crisis threshold is raised so FTS5 never does a level at once while steps keep up.
    /// </summary>
    private static void MergeOnlyInSteps(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO MessageSearch(MessageSearch, rank) VALUES ('automerge', 0);
            INSERT INTO MessageSearch(MessageSearch, rank) VALUES ('crisismerge', 64);
            """;
        command.ExecuteNonQuery();
    }

    private bool MergeStepInTurn(SqliteConnection connection)
    {
        using (turns.Take())
        {
            return MergeStep(connection);
        }
    }

    /// <summary>Merges up to <see cref="MergePages"/> pages of index segments; false when there was nothing to merge.</summary>
    internal static bool MergeStep(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT total_changes()";
        var before = (long)command.ExecuteScalar()!;
        command.CommandText = $"INSERT INTO MessageSearch(MessageSearch, rank) VALUES ('merge', {MergePages})";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT total_changes()";
        var after = (long)command.ExecuteScalar()!;
        transaction.Commit();
        // FTS5's own test for a merge that found nothing to do: fewer than two rows changed.
        return after - before >= 2;
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
        if (added > 0)
        {
            newCalls.Signal();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Free-text index could not catch up ({Reason}); retrying after the next commit")]
    private partial void LogIndexFailed(string reason);
}
