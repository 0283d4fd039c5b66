namespace Userlist.Tests.Browser;

/// <summary>
/// Browser tests run on their own, after the parallel tests: a Blazor circuit starting on a
/// machine saturated by twenty other hosts can miss the browser's wait.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
