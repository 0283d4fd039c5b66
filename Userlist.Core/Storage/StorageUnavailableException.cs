namespace Userlist.Core.Storage;

/// <summary>The database could not take the write (locked past the timeout, disk full, I/O error); nothing was stored.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
