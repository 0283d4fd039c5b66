using Microsoft.Data.Sqlite;

namespace Userlist.Core.Storage.Sqlite;

internal static class SqliteConnectionString
{
    /// <summary>Why the text is no SQLite connection string the relay can use; null when it is one.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            return string.IsNullOrWhiteSpace(new SqliteConnectionStringBuilder(connectionString).DataSource)
                ? "ConnectionStrings:Userlist must name the SQLite file (Data Source=data/userlist.db) while Storage:Provider is Sqlite"
                : null;
        }
        catch (ArgumentException invalid)
        {
            return $"ConnectionStrings:Userlist is not a SQLite connection string ({invalid.Message}); " +
                "for PostgreSQL set Storage:Provider=Postgres, for SQLite give Data Source=<file>";
        }
    }

    /// <summary>The database file's full path, or null for an in-memory database.</summary>
    public static string? FilePath(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:" or "" ? null : Path.GetFullPath(builder.DataSource);
    }
}
