using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Sqlite;

internal sealed class SqliteConnections(IOptions<StorageOptions> options, SqliteWriteTurns turns) : IStorageConnections
{
    DbConnection IStorageConnections.Open() => Open();

    public IDisposable? TakeWriteTurn() => turns.Take();

    /// <summary>Opened with a full fsync per commit and the write timeout as busy timeout, as EF's connections are.</summary>
    public SqliteConnection Open()
    {
        var timeout = options.Value.WriteTimeoutSeconds;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(options.Value.ConnectionString) { DefaultTimeout = timeout }.ToString());
        try
        {
            connection.Open();
            new SqlitePragmas(timeout * 1000).Apply(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public bool IsStorageFailure(Exception exception) => exception is SqliteException sqlite && sqlite.IsStorageFailure();
}
