using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Userlist.Core.Segment;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// The ingest hot path: one prepared INSERT bound by position through SQLite's own API.
/// ADO.NET binds parameters by name on every execution, which cost more than the row itself.
/// </summary>
internal sealed class MessageInsert : IDisposable
{
    private readonly sqlite3 database;
    private readonly sqlite3_stmt statement;

    public MessageInsert(SqliteConnection connection, string sql)
    {
        database = connection.Handle!;
        Check(raw.sqlite3_prepare_v2(database, sql, out statement));
    }

    /// <summary>Inserts one call; returns 1 if stored, 0 if the source already had its messageId.</summary>
    public int Execute(string sourceId, DateTime receivedAtUtc, IncomingCall call)
    {
        try
        {
            Text(1, sourceId);
            Text(2, call.MessageId);
            Text(3, call.Type);
            Text(4, call.UserId);
            Text(5, call.AnonymousId);
            Text(6, call.GroupId);
            Text(7, call.Event);
            Text(8, DateTimeText(receivedAtUtc));
            Text(9, call.TimestampUtc is { } timestamp ? DateTimeText(timestamp) : null);
            Check(raw.sqlite3_bind_text(statement, 10, call.Utf8Json.AsSpan()));
            var (status, reason) = MessageWriter.InitialStatus(call);
            Check(raw.sqlite3_bind_int(statement, 11, (int)status));
            Text(12, reason);

            var result = raw.sqlite3_step(statement);
            if (result != raw.SQLITE_DONE)
            {
                Check(result);
            }

            return raw.sqlite3_changes(database);
        }
        finally
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }
    }

    public void Dispose() => statement.Dispose();

    /// <summary>The text form EF Core's SQLite provider uses for DateTime, so both read and compare alike.</summary>
    private static string DateTimeText(DateTime value) =>
        value.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private void Text(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, value));

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, database);
        }
    }
}
