namespace Userlist.Core.Storage;

/// <summary>
/// Whether this relay process is the one that delivers. Only the dispatcher claims calls, so the
/// rate limit and each user's order need no coordination per call. On SQLite the one process on the
/// database is the dispatcher from its start; on PostgreSQL the instance holding an advisory lock
/// is, and another takes over when it dies. Taking the role makes every Delivering call due again
/// at once: those claims belonged to a dispatcher that is gone.
/// </summary>
public interface IDispatcherRole
{
    bool IsDispatcher { get; }

    /// <summary>
    /// Whether other instances may share the database and take the role (PostgreSQL), so the
    /// dashboard says which one dispatches. False on SQLite: this process is the only one.
    /// </summary>
    bool IsShared { get; }

    /// <summary>Which instance dispatches ("host (pid 123)"), for the dashboard; null while none is known.</summary>
    string? Dispatcher { get; }

    /// <summary>Raised when this instance takes the role (true) or loses it (false).</summary>
    event Action<bool>? Changed;

    /// <summary>Raised on the dispatcher when another instance has committed new calls.</summary>
    event Action? CallsCommittedElsewhere;
}
