using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>A bad setting stops the built relay with one line naming the key, not a stack trace.</summary>
[Collection(RelayProcessCollection.Name)]
public sealed class BadConfigurationTests
{
    [Theory]
    [InlineData("Delivery__MaxAttempts", "abc", "Delivery:MaxAttempts")]
    [InlineData("Delivery__MaxAttempts", "-1", "Delivery:MaxAttempts must be between 1 and 100")]
    [InlineData("Userlist__PushApiUrl", "notaurl", "Userlist:PushApiUrl must be an absolute http(s) URL")]
    [InlineData("Userlist__PushApiUrl", "http://user:pa55word@push.userlist.com", "Userlist:PushApiUrl must not contain a user name or password")]
    [InlineData("ForwardedHeaders__KnownProxies__0", "proxy.local", "ForwardedHeaders:KnownProxies has 'proxy.local'")]
    public async Task Start_BadSetting_OneLineNamingTheKeyAndExitCode1(string variable, string value, string expected) =>
        await AssertRefusedAsync(new() { [variable] = value }, expected);

    [Theory]
    [InlineData("Mongo", "Data Source=data/userlist.db", "Storage:Provider must be Sqlite or Postgres, not 'Mongo'")]
    [InlineData("Sqlite", "Host=127.0.0.1;Database=relay;Username=postgres", "ConnectionStrings:Userlist is not a SQLite connection string")]
    [InlineData("Postgres", "Data Source=data/userlist.db", "ConnectionStrings:Userlist is not a PostgreSQL connection string")]
    [InlineData("Postgres", "Database=relay;Username=postgres", "ConnectionStrings:Userlist must name the PostgreSQL server")]
    public async Task Start_StorageOfTheWrongKind_OneLineNamingTheKeyAndExitCode1(string provider, string connectionString, string expected) =>
        await AssertRefusedAsync(new() { ["Storage__Provider"] = provider, ["ConnectionStrings__Userlist"] = connectionString }, expected);

    private static async Task AssertRefusedAsync(Dictionary<string, string?> settings, string expected)
    {
        using var folder = new TemporaryFolder();
        settings["Urls"] = $"http://127.0.0.1:{RelayProcess.FreePort()}";

        await using var relay = RelayProcess.Start(folder.Path, settings);

        Assert.Equal(1, await relay.ExitCodeAsync());
        var line = Assert.Single(relay.Errors, l => l.Length > 0);
        Assert.StartsWith("Userlist Relay did not start: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(relay.Output.Concat(relay.Errors), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
