using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Keeps <c>MessageSearch</c> up with the log, behind ingest, in chunks of its own transactions
/// (PostgreSQL's readers and writers never block each other, so ingest never waits for it). Every
/// instance runs one; they share the work without harm (a call indexed twice is skipped). Calls from
/// several instances can commit out of Id order, so each pass looks back over the newest
/// <see cref="LookBack"/> Ids for calls still missing instead of trusting the highest one indexed.
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

    /// <summary>How far below the newest indexed call a pass looks for calls still missing.</summary>
    internal const int LookBack = 20_000;

    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private readonly WakeUp newCalls = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        writer.Committed += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    while (await IndexChunkAsync(stoppingToken) == Chunk)
                    {
                    }
                }
                catch (Exception exception) when (exception is NpgsqlException && !stoppingToken.IsCancellationRequested)
                {
                    LogIndexFailed(exception.Message);
                }

                // Other instances' calls arrive without a wake-up here: the recheck finds them.
                await newCalls.WaitAsync(Recheck, stoppingToken);
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

    /// <summary>Indexes the oldest calls not yet in the index among the newest ones; returns how many.</summary>
    internal async Task<int> IndexChunkAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync(cancellationToken);
        await using var index = new NpgsqlCommand($"""
            INSERT INTO "MessageSearch" ("Id", "Document")
            SELECT m."Id", {DocumentSql} FROM "Messages" m
            WHERE m."Id" > (SELECT coalesce(max("Id"), 0) FROM "MessageSearch") - {LookBack}
              AND NOT EXISTS (SELECT 1 FROM "MessageSearch" s WHERE s."Id" = m."Id")
            ORDER BY m."Id" LIMIT {Chunk}
            ON CONFLICT ("Id") DO NOTHING
            """, connection);
        return await index.ExecuteNonQueryAsync(cancellationToken);
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
