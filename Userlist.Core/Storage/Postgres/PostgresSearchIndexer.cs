using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Keeps <c>MessageSearch</c> up with the log, behind ingest, in chunks of its own transactions
/// (PostgreSQL's readers and writers never block each other, so ingest never waits for it), in the
/// gaps between ingest's commits (so it never takes the CPU a request waits on). A
/// cursor walks forward through the Ids: each chunk reads the next calls above it, so the work per
/// call is the same however far behind the index is. Every instance runs one; they share the
/// work without harm (a call indexed already is skipped). Calls can commit out of Id order (two
/// commits run side by side, and other instances commit too), so the cursor may pass a call that
/// is not visible yet: every <see cref="SweepEvery"/> a sweep indexes what is still missing below
/// the cursor among the Ids taken during the last <see cref="LateCommits"/> (only those can still
/// commit, so a sweep costs little while the index catches up on old calls).
/// </summary>
internal sealed partial class PostgresSearchIndexer(
    PostgresConnections connections,
    MessageWriter writer,
    ILogger<PostgresSearchIndexer> logger) : BackgroundService
{
    /// <summary>PostgreSQL refuses a lexeme longer than this; longer words are left out of the index.</summary>
    public const int LongestWordBytes = 2046;

    /// <summary>
    /// A call's words with their positions, as a tsvector literal: runs of letters, digits and
    /// <c>@ . - _</c> (anything outside ASCII counts as a letter), lower-cased as <see cref="PostgresSearchIndex.Words"/> does.
    /// </summary>
    public const string DocumentSql = """
        (SELECT coalesce(string_agg('''' || w || ''':' || least(i, 16383), ' '), '')
         FROM unnest(regexp_split_to_array(lower(m."Payload" COLLATE "C"), '[^a-z0-9@._\u0080-\uffff-]+')) WITH ORDINALITY AS t(w, i)
         WHERE w <> '' AND octet_length(w) <= 2046)::tsvector
        """;

    private const int Chunk = 500;

    /// <summary>How far below the newest indexed call a start reads again, and how far below the newest call its first sweeps look.</summary>
    internal const int LookBack = 20_000;

    /// <summary>How often a sweep runs, and how often the indexer looks for other instances' calls.</summary>
    internal static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its Id was taken a call may still commit: longer than any ingest commit runs
    /// before the database's command timeout (30 s) gives up on it.
    /// </summary>
    internal static readonly TimeSpan LateCommits = TimeSpan.FromMinutes(1);

    private readonly WakeUp newCalls = new();

    /// <summary>The highest Id a chunk has read; null until read from the index.</summary>
    private long? cursor;

    /// <summary>
    /// The newest visible Id at the start and at each sweep of the last <see cref="LateCommits"/>,
    /// oldest first: a call not visible yet took its Id after the oldest of them. Timed on the
    /// monotonic clock: how long a commit takes is real time, whatever the relay's clock says.
    /// </summary>
    private readonly Queue<(long At, long NewestId)> sweeps = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        writer.Committed += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // Each step waits for a gap in this instance's ingest: a request waiting on a
                    // commit matters more than search being current, and the server's cores are shared.
                    int read;
                    do
                    {
                        await writer.GapAsync(stoppingToken);
                        read = await IndexChunkAsync(stoppingToken);
                        await writer.GapAsync(stoppingToken);
                        await SweepIfDueAsync(stoppingToken);
                    }
                    while (read == Chunk);
                }
                catch (Exception exception) when (exception is NpgsqlException && !stoppingToken.IsCancellationRequested)
                {
                    LogIndexFailed(exception.Message);
                }

                // Other instances' calls arrive without a wake-up here: the recheck finds them.
                await newCalls.WaitAsync(SweepEvery, stoppingToken);
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

    /// <summary>Indexes the next calls above the cursor that are not in the index yet; returns how many calls it read.</summary>
    internal async Task<int> IndexChunkAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken);
        if (cursor is null)
        {
            var (indexed, newest) = await NewestIdsAsync(connection, cancellationToken);
            // Calls a stop left behind the index are read again; commits under way at the start
            // (other instances') took their Ids among the newest.
            cursor = Math.Max(0, indexed - LookBack);
            sweeps.Enqueue((Stopwatch.GetTimestamp(), Math.Max(0, newest - LookBack)));
        }

        await using var index = new NpgsqlCommand($"""
            WITH chunk AS (SELECT "Id", "Payload" FROM "Messages" WHERE "Id" > $1 ORDER BY "Id" LIMIT {Chunk}),
            indexed AS (
                INSERT INTO "MessageSearch" ("Id", "Document")
                SELECT m."Id", {DocumentSql} FROM chunk m
                WHERE NOT EXISTS (SELECT 1 FROM "MessageSearch" s WHERE s."Id" = m."Id")
                ON CONFLICT ("Id") DO NOTHING)
            SELECT count(*)::int, coalesce(max("Id"), $1) FROM chunk
            """, connection);
        index.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Value });
        await using var reader = await index.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var read = reader.GetInt32(0);
        cursor = reader.GetInt64(1);
        return read;
    }

    /// <summary>Indexes the calls still missing below the cursor that committed after it passed them, when a sweep is due.</summary>
    internal async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        if (cursor is not { } through || Stopwatch.GetElapsedTime(sweeps.Last().At) < SweepEvery)
        {
            return;
        }

        while (sweeps.Count > 1 && Stopwatch.GetElapsedTime(sweeps.ElementAt(1).At) >= LateCommits)
        {
            sweeps.Dequeue();
        }

        var from = sweeps.Peek().NewestId;
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken);
        var (_, newest) = await NewestIdsAsync(connection, cancellationToken);
        // All missing Ids in one anti-join of two index ranges, then indexed in chunks: with a
        // limit, the planner would probe the index once per call for every chunk.
        var missing = new List<long>();
        await using (var find = new NpgsqlCommand("""
            SELECT m."Id" FROM "Messages" m
            WHERE m."Id" > $1 AND m."Id" <= $2 AND NOT EXISTS (SELECT 1 FROM "MessageSearch" s WHERE s."Id" = m."Id")
            ORDER BY m."Id"
            """, connection))
        {
            find.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
            find.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                missing.Add(reader.GetInt64(0));
            }
        }

        foreach (var ids in missing.Chunk(Chunk))
        {
            await using var index = new NpgsqlCommand($"""
                INSERT INTO "MessageSearch" ("Id", "Document")
                SELECT m."Id", {DocumentSql} FROM "Messages" m WHERE m."Id" = ANY($1)
                ON CONFLICT ("Id") DO NOTHING
                """, connection);
            index.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
            await index.ExecuteNonQueryAsync(cancellationToken);
        }

        sweeps.Enqueue((Stopwatch.GetTimestamp(), newest));
    }

    /// <summary>The newest call indexed, and the newest call visible.</summary>
    private static async Task<(long Indexed, long Newest)> NewestIdsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var newest = new NpgsqlCommand("""
            SELECT (SELECT coalesce(max("Id"), 0) FROM "MessageSearch"), (SELECT coalesce(max("Id"), 0) FROM "Messages")
            """, connection);
        await using var reader = await newest.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private void Wake(int added)
    {
        if (added > 0)
        {
            newCalls.Signal();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Free-text index could not catch up ({Reason}); retrying")]
    private partial void LogIndexFailed(string reason);
}
