using Microsoft.Data.Sqlite;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Dashboard;

/// <summary>
/// Where the relay keeps its files: all in the database's folder (the database, Hangfire's
/// database, the Data Protection keys), so that one folder is what a backup copies and a restore fills.
/// </summary>
internal static class DataFiles
{
    public static string DatabasePath(StorageOptions storage) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(storage.ConnectionString).DataSource);

    public static string Folder(StorageOptions storage) => Path.GetDirectoryName(DatabasePath(storage))!;

    public static string KeysFolder(StorageOptions storage) => Path.Combine(Folder(storage), "keys");

    public static string JobsDatabasePath(StorageOptions storage) => Path.Combine(Folder(storage), "hangfire.db");

    /// <summary>
    /// Creates the folder and both databases as empty files, all owner-only, before anything
    /// opens them: the first to open the relay's database (reading saved settings, at options
    /// validation) comes before its initializer, and SQLite would create the file 0644.
    /// </summary>
    public static void CreateOwnerOnly(StorageOptions storage)
    {
        OwnerOnly.CreateFolder(Folder(storage));
        OwnerOnly.CreateDatabaseFile(DatabasePath(storage));
        OwnerOnly.CreateDatabaseFile(JobsDatabasePath(storage));
    }

    public static BackupSources BackupSources(StorageOptions storage) =>
        new(DatabasePath(storage), KeysFolder(storage), JobsDatabasePath(storage));
}
