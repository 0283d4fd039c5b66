namespace Userlist.Core.Storage;

/// <summary>Another relay process already holds this SQLite database; the message says so in one line.</summary>
public sealed class DatabaseInUseException(string message) : Exception(message);
