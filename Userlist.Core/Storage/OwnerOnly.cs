namespace Userlist.Core.Storage;

/// <summary>
/// The relay's data (every call, the encrypted Push API key and the keys that decrypt it,
/// backups) is for its own user alone: folders 0700, files 0600, set as they are created rather
/// than left to the process's umask. Windows has no such modes; there the folder's ACL applies.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parents owner-only; a folder that exists keeps its mode.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            // Parent first, each with the mode: CreateDirectory gives it to the last folder only.
            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (parent is not null)
            {
                CreateFolder(parent);
            }

            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>
    /// Creates an empty, owner-only SQLite database file when there is none yet, or makes an empty
    /// one owner-only (opened, never written: whoever opened it first, it is new). SQLite treats an
    /// empty file as a new database and gives its -wal and -shm files the database file's mode,
    /// so those are owner-only too. A database with data keeps the mode its owner gave it.
    /// </summary>
    public static void CreateDatabaseFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (File.Exists(path))
        {
            if (new FileInfo(path).Length == 0)
            {
                Restrict(path);
            }

            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another opener created it first; SQLite will use that file.
        }
    }

    /// <summary>Makes a file that something else created owner-only.</summary>
    public static void Restrict(string file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, FileMode);
        }
    }
}
