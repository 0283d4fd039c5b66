namespace Userlist.Core.Storage;

/// <summary>
/// A provider that serves one relay process per database takes it for this process at start
/// (SQLite); one that serves several instances has none.
/// </summary>
public interface IProcessLock
{
    /// <summary>Takes the database for this process, once; throws <see cref="DatabaseInUseException"/> when another holds it.</summary>
    void Acquire();
}
