using Microsoft.Data.Sqlite;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// A backup taken while the relay runs, from any process: SQLite's online backup API copies each
/// database as one consistent snapshot (every call committed before it began, nothing half
/// written) while ingest keeps committing, since in WAL mode a reader never blocks the writer.
/// It takes no lock of the relay's own, so a running relay and this copy never wait for each other.
/// </summary>
public static class OnlineBackup
{
    /// <summary>
    /// Copies the sources into <paramref name="destination"/> (a new or empty folder), each file
    /// under its own name, so restoring is copying the folder's contents into a data folder. The
    /// copy is written to a hidden sibling folder and renamed at the end: a folder with the
    /// destination's name always holds a whole backup. Failures throw IOException,
    /// UnauthorizedAccessException or SqliteException with the reason.
    /// </summary>
    public static async Task<BackupCopy> WriteAsync(BackupSources sources, string destination, CancellationToken cancellationToken)
    {
        destination = Path.GetFullPath(destination);
        if (!File.Exists(sources.DatabasePath))
        {
            throw new FileNotFoundException($"There is no database at {sources.DatabasePath}: check ConnectionStrings:Userlist", sources.DatabasePath);
        }

        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new IOException($"{destination} is not empty: back up into a new folder");
        }

        var parent = Path.GetDirectoryName(destination)!;
        OwnerOnly.CreateFolder(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(destination)}.partial-{Guid.NewGuid():N}");
        OwnerOnly.CreateFolder(staging);
        try
        {
            await CopyDatabaseAsync(sources.DatabasePath, Path.Combine(staging, Path.GetFileName(sources.DatabasePath)), cancellationToken);

            // After the database: the key that encrypted anything in that snapshot was written
            // before it, and key files are never deleted, so the copy has every key it needs.
            CopyKeys(sources.KeysFolder, Path.Combine(staging, Path.GetFileName(Path.TrimEndingDirectorySeparator(sources.KeysFolder))));

            if (sources.JobsDatabasePath is { } jobs && File.Exists(jobs))
            {
                await CopyDatabaseAsync(jobs, Path.Combine(staging, Path.GetFileName(jobs)), cancellationToken);
            }

            if (Directory.Exists(destination))
            {
                Directory.Delete(destination);
            }

            Directory.Move(staging, destination);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        var files = Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        return new BackupCopy(destination, [.. files.Select(f => Path.GetRelativePath(destination, f))], files.Sum(f => new FileInfo(f).Length));
    }

    /// <summary>SQLite's backup API is synchronous: it runs on the thread pool, not the caller's.</summary>
    private static Task CopyDatabaseAsync(string source, string target, CancellationToken cancellationToken) => Task.Run(() =>
    {
        OwnerOnly.CreateDatabaseFile(target);

        // ReadWrite, not ReadWriteCreate: a path that has no database fails instead of being
        // created empty. No pooling: both files are closed on return, so the copy is one
        // finished file with no -wal beside it.
        using var from = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        from.Open();
        using (var wait = from.CreateCommand())
        {
            // Hangfire's database may be in rollback-journal mode, where a commit briefly excludes readers.
            wait.CommandText = "PRAGMA busy_timeout=10000;";
            wait.ExecuteNonQuery();
        }

        to.Open();
        from.BackupDatabase(to);
    }, cancellationToken);

    private static void CopyKeys(string keysFolder, string target)
    {
        OwnerOnly.CreateFolder(target);
        if (!Directory.Exists(keysFolder))
        {
            // No key was ever made, so nothing in the database is encrypted with one.
            return;
        }

        foreach (var key in Directory.EnumerateFiles(keysFolder))
        {
            var copy = Path.Combine(target, Path.GetFileName(key));
            File.Copy(key, copy);
            OwnerOnly.Restrict(copy);
        }
    }
}
