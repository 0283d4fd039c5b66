using System.Data.Common;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Backups;

/// <summary>
/// <c>dotnet Userlist.Dashboard.dll backup &lt;folder&gt;</c>: an online backup of the data a relay
/// with the same configuration uses, taken while that relay runs. It reads configuration as the
/// relay does (the root appsettings.json, then environment variables, then the command line) and
/// builds no host: no web server, no jobs, no migrations, no lock of the relay's own.
/// </summary>
internal static class BackupCommand
{
    private const string Usage = "Usage: dotnet Userlist.Dashboard.dll backup <folder> [--ConnectionStrings:Userlist=\"Data Source=...\"]";

    /// <summary>Runs the verb when the arguments start with it and returns its exit code; null leaves the arguments to the web host.</summary>
    public static async Task<int?> TryRunAsync(string[] args) =>
        args is ["backup", .. var rest] ? await RunAsync(rest, Console.Out, Console.Error) : null;

    private static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        if (args is not [var folder, .. var overrides] || folder.StartsWith('-'))
        {
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        var configuration = CommandConfiguration.Read(overrides);
        if (StorageOptions.ProviderFrom(configuration) == StorageProvider.Postgres)
        {
            await errors.WriteLineAsync("Storage:Provider is Postgres: back the database up with PostgreSQL's own tools (pg_dump); it holds everything the relay keeps.");
            return 2;
        }

        var storage = new StorageOptions { ConnectionString = configuration.GetConnectionString("Userlist") ?? "" };
        try
        {
            var sources = DataFiles.BackupSources(storage);
            var copy = await BackupService.CopyAsync(sources, folder, CancellationToken.None);
            await output.WriteLineAsync($"Backed up {Path.GetDirectoryName(sources.DatabasePath)} to {copy.Folder} ({copy.Size}): {string.Join(", ", copy.Files)}");
            await output.WriteLineAsync("To restore, stop the relay and copy these files into its data folder (see README, Backups).");
            return 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or DbException or ArgumentException)
        {
            await errors.WriteLineAsync($"Backup failed: {exception.Message}");
            return 1;
        }
    }
}
