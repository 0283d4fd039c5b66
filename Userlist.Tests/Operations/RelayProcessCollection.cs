namespace Userlist.Tests.Operations;

/// <summary>Tests that start the built relay as processes take turns: each start wants the machine's cores for a few seconds.</summary>
[CollectionDefinition(Name)]
public sealed class RelayProcessCollection
{
    public const string Name = "relay processes";
}
