namespace Userlist.Dashboard;

/// <summary>Configuration for a command-line verb (<c>backup</c>, <c>copy-to-postgres</c>), which builds no host.</summary>
internal static class CommandConfiguration
{
    /// <summary>
    /// Read as the relay reads it: the root appsettings.json copied next to the binaries, then
    /// environment variables, then the overrides given after the verb's own arguments.
    /// </summary>
    public static IConfiguration Read(string[] overrides) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .AddEnvironmentVariables()
            .AddCommandLine(overrides)
            .Build();
}
