using Microsoft.Data.Sqlite;

namespace Userlist.Tests.Pages;

/// <summary>
/// Another process holding the database exclusively (a backup tool, say): the page's queries wait
/// in SQLite's busy handler until it lets go, so the page's loading state can be seen.
/// </summary>
public sealed class ExclusiveLock : IDisposable
{
    private readonly SqliteConnection connection;

    public ExclusiveLock(string databasePath)
    {
        connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE Settings SET Value = Value WHERE 0; COMMIT;";
        command.ExecuteNonQuery();
    }

    /// <summary>Lets go: in exclusive locking mode the lock lasts until the connection closes.</summary>
    public void Dispose() => connection.Dispose();
}
