using System.Data.Common;

namespace Userlist.Core.Storage;

/// <summary>
/// The provider's own connections, for the writers that skip EF on their hot paths, and its word on
/// which failures are the database's (it can't take writes now) rather than the data's.
/// </summary>
public interface IStorageConnections
{
    /// <summary>An open connection set up as the relay's own are (durable commits, the write timeout).</summary>
    DbConnection Open();

    /// <summary>
    /// Waits for this writer's turn where the database has one write lock for the whole process
    /// (SQLite, where its waiters are not served in order); dispose it once committed. Null where
    /// writers lock only their rows (PostgreSQL).
    /// </summary>
    IDisposable? TakeWriteTurn();

    /// <summary>True when the failure is the database's (locked, unreachable, full), whatever the data.</summary>
    bool IsStorageFailure(Exception exception);
}
