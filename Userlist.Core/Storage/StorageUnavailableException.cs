namespace Userlist.Core.Storage;

/// <summary>
/// The database could not answer or take the write (locked past the timeout, unreachable, disk
/// full, I/O error); nothing was stored. The provider's own exception, if any, is the inner one.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
