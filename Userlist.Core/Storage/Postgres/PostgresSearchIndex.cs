using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// Search on PostgreSQL: <c>MessageSearch</c> holds a tsvector per call under a GIN index, built
/// by <see cref="PostgresSearchIndexer"/> with the same notion of a word as SQLite's FTS5 index
/// (runs of letters, digits and <c>@ . - _</c>, lower case, with positions), so both providers
/// find the same calls. The query is a tsquery literal built from those words: the phrase, its last
/// word a prefix.
/// </summary>
internal sealed partial class PostgresSearchIndex : ISearchIndex
{
    public IQueryable<Message> Matching(RelayDbContext db, MessageFilter filter, bool newestOnly, int cap)
    {
        var query = Query(filter);
        // The newest matches are read first, as an array: as a semi-join, the planner, which can't
        // tell how rare a prefix is, walked both tables backward from the newest call looking for
        // them (an email's 100 calls among 1,000,000: 330 ms instead of 10).
        return newestOnly
            ? db.Messages.FromSql($"""
                SELECT * FROM "Messages" WHERE "Id" = ANY(ARRAY(
                    SELECT "Id" FROM "MessageSearch" WHERE "Document" @@ {query}::tsquery ORDER BY "Id" DESC LIMIT {cap}))
                """).AsNoTracking()
            : db.Messages.FromSql($"""
                SELECT * FROM "Messages" WHERE "Id" IN (SELECT "Id" FROM "MessageSearch" WHERE "Document" @@ {query}::tsquery)
                """).AsNoTracking();
    }

    /// <summary>Rows of MessageSearch go with their call (a foreign key with cascade).</summary>
    public Task ForgetAsync(RelayDbContext db, IReadOnlyList<long> ids, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The Ids above the newest indexed call, and the calls missing among the <see cref="PostgresSearchIndexer.LookBack"/>
    /// below it (another instance's calls may commit after a higher Id was indexed): what the indexer looks at.
    /// </summary>
    public Task<long> BacklogAsync(RelayDbContext db, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<long>($"""
            SELECT greatest(0, coalesce((SELECT max("Id") FROM "Messages"), 0) - newest."Id")
                 + (SELECT count(*) FROM "Messages" m
                    WHERE m."Id" > newest."Id" - {PostgresSearchIndexer.LookBack} AND m."Id" <= newest."Id"
                      AND NOT EXISTS (SELECT 1 FROM "MessageSearch" s WHERE s."Id" = m."Id")) AS "Value"
            FROM (SELECT coalesce(max("Id"), 0) AS "Id" FROM "MessageSearch") newest
            """).SingleAsync(cancellationToken);

    /// <summary>
    /// The text's words as a phrase (<c>'a' &lt;-&gt; 'b':*</c>), AND each id or name the filter also
    /// asks for as a phrase of its own. Words hold only letters, digits and <c>@ . - _</c>, so they
    /// need no escaping inside the quotes.
    /// </summary>
    internal static string Query(MessageFilter filter)
    {
        var phrases = new List<string> { Phrase(filter.Text!, lastIsPrefix: true) };
        phrases.AddRange(filter.ExactValues.Select(value => Phrase(value, lastIsPrefix: false)));
        return string.Join(" & ", phrases.Where(phrase => phrase.Length > 0).Select(phrase => $"({phrase})"));
    }

    private static string Phrase(string text, bool lastIsPrefix)
    {
        var words = Words(text);
        return string.Join(" <-> ", words.Select((word, i) => $"'{word}'" + (lastIsPrefix && i == words.Count - 1 ? ":*" : "")));
    }

    /// <summary>The same split the indexer makes in SQL (<see cref="PostgresSearchIndexer.DocumentSql"/>).</summary>
    internal static List<string> Words(string text) =>
        [.. NotAWord().Split(AsciiLower(text)).Where(word => word.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(word) <= PostgresSearchIndexer.LongestWordBytes)];

    /// <summary>As PostgreSQL's lower() under the "C" collation: only A-Z change, so both sides agree on any server.</summary>
    private static string AsciiLower(string text) => string.Create(text.Length, text, (chars, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            chars[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });

    [GeneratedRegex(@"[^a-z0-9@._\u0080-\uffff-]+")]
    private static partial Regex NotAWord();
}
