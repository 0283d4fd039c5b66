using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// One relay process per SQLite database. Two would both dispatch (breaking each user's order and
/// the rate limit), and Hangfire.Storage.SQLite is not safe across processes. The claim is an open
/// <c>.lock</c> file beside the database shared with no one, which .NET takes as an exclusive flock on
/// Linux: the kernel lets go when the process ends however it ends, so a killed relay never blocks
/// its own restart. Registered first among the hosted services, so it is held before the database
/// is opened; the host's composition root takes it even earlier, before Hangfire's storage.
/// </summary>
internal sealed class DatabaseFileLock(IOptions<StorageOptions> options) : StartingPhase, IProcessLock, IDisposable
{
    private readonly Lock gate = new();
    private FileStream? held;

    /// <summary>Takes the database for this process; does nothing when it already holds it or the database is in memory.</summary>
    /// <exception cref="DatabaseInUseException">Another process holds it.</exception>
    public void Acquire()
    {
        lock (gate)
        {
            var database = new SqliteConnectionStringBuilder(options.Value.ConnectionString);
            if (held is not null || IsInMemory(database))
            {
                return;
            }

            // userlist.db -> userlist.lock: beside the database, but outside the userlist.db* files that tools copy or scan.
            var file = Path.GetFullPath(database.DataSource);
            var path = Path.GetExtension(file) == ".lock" ? file + ".lock" : Path.ChangeExtension(file, ".lock");
            // The lock comes first at start, so it makes the data folder: owner-only, as the database's files.
            OwnerOnly.CreateFolder(Path.GetDirectoryName(path)!);
            try
            {
                held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                throw new DatabaseInUseException(
                    $"Another relay is already running on {database.DataSource} (it holds {Path.GetFileName(path)}): two would both send to Userlist, " +
                    "breaking each user's order and the rate limit. Stop the other one, or give this one its own ConnectionStrings:Userlist.");
            }
        }
    }

    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        Acquire();
        return Task.CompletedTask;
    }

    /// <summary>Lets go when the host's services are disposed, after everything using the database has stopped.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            held?.Dispose();
            held = null;
        }
    }

    private static bool IsInMemory(SqliteConnectionStringBuilder database) =>
        database.Mode == SqliteOpenMode.Memory || database.DataSource is "" or ":memory:";
}
