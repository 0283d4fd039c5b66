using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// Every connection commits with a full fsync (an acknowledged call must survive a power cut) and
/// waits for a busy database instead of failing at once.
/// </summary>
internal sealed class SqlitePragmas(int busyTimeoutMs) : DbConnectionInterceptor
{
    public string Sql => $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={busyTimeoutMs};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    public void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Sql;
        command.ExecuteNonQuery();
    }
}
