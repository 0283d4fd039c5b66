using Npgsql;

namespace Userlist.Core.Storage.Postgres;

internal static class PostgresConnectionString
{
    /// <summary>Why the text is no PostgreSQL connection string the relay can use; null when it is one.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            return string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(connectionString).Host)
                ? "ConnectionStrings:Userlist must name the PostgreSQL server (Host=...;Database=...;Username=...) while Storage:Provider is Postgres"
                : null;
        }
        catch (ArgumentException invalid)
        {
            return $"ConnectionStrings:Userlist is not a PostgreSQL connection string ({invalid.Message}); " +
                "for SQLite set Storage:Provider=Sqlite, for PostgreSQL give Host=...;Database=...;Username=...;Password=...";
        }
    }
}
