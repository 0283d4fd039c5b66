using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// Search on SQLite: the contentless FTS5 table <c>MessageSearch</c> (its rowid is the call's Id),
/// filled by <see cref="SearchIndexer"/>; '@', '.', '-' and '_' are part of its words.
/// </summary>
internal sealed class SqliteSearchIndex : ISearchIndex
{
    public IQueryable<Message> Matching(RelayDbContext db, MessageFilter filter, bool newestOnly, int cap)
    {
        var phrase = Query(filter);
        return newestOnly
            // The index hands matches over newest first and stops at the cap: a common word
            // costs no more than a rare one.
            ? db.Messages.FromSql($"""
                SELECT * FROM Messages WHERE Id IN (
                    SELECT rowid FROM MessageSearch WHERE MessageSearch MATCH {phrase} ORDER BY rowid DESC LIMIT {cap})
                """).AsNoTracking()
            // With other filters: every match, checked against the calls those select. Their ids
            // are in the query too, so the index returns one user's matches, not every call
            // with a common word (measured: 220 ms down to a few).
            : db.Messages.FromSql($"""
                SELECT * FROM Messages WHERE Id IN (SELECT rowid FROM MessageSearch WHERE MessageSearch MATCH {phrase})
                """).AsNoTracking();
    }

    /// <summary>A contentless index keeps no link to its rows: deleted calls are taken out by rowid.</summary>
    public async Task ForgetAsync(RelayDbContext db, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var idList = System.Text.Json.JsonSerializer.Serialize(ids);
        await db.Database.ExecuteSqlAsync($"DELETE FROM MessageSearch WHERE rowid IN (SELECT value FROM json_each({idList}))", cancellationToken);
    }

    /// <summary>The indexer takes calls in Id order: every Id above the newest it has indexed is still to come.</summary>
    public Task<long> BacklogAsync(RelayDbContext db, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<long>("""
            SELECT max(0, coalesce((SELECT max(Id) FROM Messages), 0)
                        - coalesce((SELECT rowid FROM MessageSearch ORDER BY rowid DESC LIMIT 1), 0)) AS Value
            """).SingleAsync(cancellationToken);

    /// <summary>
    /// The FTS5 query: the user's words as one phrase, the last word a prefix ("acme co" finds
    /// "Acme Corp"), and with it every id or name the filter also asks for, which the payload
    /// holds too: the index then intersects a rare id's few calls with the words, cheaply. The
    /// exact column filters still apply; these only narrow. Quoting makes punctuation plain text.
    /// </summary>
    internal static string Query(MessageFilter filter)
    {
        var terms = new List<string> { Quoted(filter.Text!) + "*" };
        terms.AddRange(filter.ExactValues.Select(Quoted));
        return string.Join(" AND ", terms);

        static string Quoted(string text) => "\"" + text.Trim().Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
