using Microsoft.Data.Sqlite;

namespace Userlist.Core.Storage.Sqlite;

internal static class SqliteFailures
{
    // SQLite result codes that mean the database itself can't take writes now, whatever the data.
    private static readonly HashSet<int> StorageCodes =
    [
        5,  // SQLITE_BUSY
        6,  // SQLITE_LOCKED
        7,  // SQLITE_NOMEM
        8,  // SQLITE_READONLY
        10, // SQLITE_IOERR
        11, // SQLITE_CORRUPT
        13, // SQLITE_FULL
        14, // SQLITE_CANTOPEN
        15, // SQLITE_PROTOCOL
        26, // SQLITE_NOTADB
    ];

    public static bool IsStorageFailure(this SqliteException exception) => StorageCodes.Contains(exception.SqliteErrorCode);
}
