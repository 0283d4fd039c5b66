namespace Userlist.Core.PushApi;

public enum ConnectionState
{
    Valid,
    InvalidKey,
    Unreachable,
}

/// <summary>What a "test connection" found, for people.</summary>
public sealed record ConnectionCheck(ConnectionState State, string Detail);
