using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage.Postgres;

/// <summary>
/// One pooled data source for the process (EF's contexts and the writers share its pool). A
/// statement may wait <c>Storage:WriteTimeoutSeconds</c> at most, as on SQLite, so ingest answers
/// 503 instead of hanging when the server is stuck. Commits stay synchronous (the server's
/// default, never changed here): a 200 means the call is on the server's disk.
/// </summary>
internal sealed class PostgresConnections : IStorageConnections, IDisposable
{
    public PostgresConnections(IOptions<StorageOptions> options)
    {
        var timeout = options.Value.WriteTimeoutSeconds;
        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString)
        {
            CommandTimeout = timeout,
            Timeout = Math.Min(timeout, 1024),
        };
        DataSource = NpgsqlDataSource.Create(builder);
    }

    public NpgsqlDataSource DataSource { get; }

    DbConnection IStorageConnections.Open() => DataSource.OpenConnection();

    public IDisposable? TakeWriteTurn() => null;

    /// <summary>
    /// The server can't take the write now: unreachable, shutting down, out of room or connections,
    /// read-only, or the statement ran out of time. A constraint or a bad value is the data's, not these.
    /// </summary>
    public bool IsStorageFailure(Exception exception) => exception switch
    {
        PostgresException server => server.SqlState[..2] is "08" or "53" or "57" or "58" || server.SqlState is "25006" or "55P03" or "40P01",
        NpgsqlException client => client.IsTransient,
        TimeoutException => true,
        _ => false,
    };

    public void Dispose() => DataSource.Dispose();
}
