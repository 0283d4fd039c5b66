using System.Data.Common;
using System.Globalization;
using Npgsql;
using Userlist.Core.Configuration;

namespace Userlist.Dashboard.Moving;

/// <summary>
/// <c>dotnet Userlist.Dashboard.dll copy-to-postgres "&lt;Npgsql connection string&gt;"</c>: moves a
/// stopped relay from SQLite to PostgreSQL by copying everything it keeps into an empty database
/// (see <see cref="SqliteToPostgres"/>). It reads configuration as the relay does, so the SQLite
/// database is the one the relay with the same settings uses, and builds no host.
/// </summary>
internal static class CopyToPostgresCommand
{
    private const string Usage =
        "Usage: dotnet Userlist.Dashboard.dll copy-to-postgres \"Host=...;Database=...;Username=...;Password=...\" [--ConnectionStrings:Userlist=\"Data Source=...\"]";

    /// <summary>Runs the verb when the arguments start with it and returns its exit code; null leaves the arguments to others.</summary>
    public static async Task<int?> TryRunAsync(string[] args) =>
        args is ["copy-to-postgres", .. var rest] ? await RunAsync(rest, Console.Out, Console.Error) : null;

    private static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        if (args is not [var target, .. var overrides] || target.StartsWith('-'))
        {
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        if (TargetProblem(target) is { } problem)
        {
            await errors.WriteLineAsync(problem);
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        var configuration = CommandConfiguration.Read(overrides);
        if (StorageOptions.ProviderFrom(configuration) != StorageProvider.Sqlite)
        {
            await errors.WriteLineAsync("Storage:Provider is not Sqlite: copy-to-postgres copies a relay's SQLite database, so run it with that relay's configuration.");
            return 2;
        }

        var storage = new StorageOptions { ConnectionString = configuration.GetConnectionString("Userlist") ?? "" };
        try
        {
            DataFiles.DatabasePath(storage);
        }
        catch (ArgumentException invalid)
        {
            await errors.WriteLineAsync($"ConnectionStrings:Userlist is not a SQLite connection string ({invalid.Message}): copy-to-postgres reads the relay's SQLite database.");
            return 2;
        }

        try
        {
            Print(await SqliteToPostgres.CopyAsync(storage, target, CancellationToken.None), Describe(target), output);
            return 0;
        }
        catch (MoveRefusedException refused)
        {
            await errors.WriteLineAsync(refused.Message);
            return 1;
        }
        catch (Exception exception) when (exception is DbException or IOException or UnauthorizedAccessException or System.Xml.XmlException or TimeoutException)
        {
            await errors.WriteLineAsync($"Copy failed, nothing was committed to PostgreSQL: {exception.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static void Print(MoveReport report, string target, TextWriter output)
    {
        output.WriteLine($"Copied {report.Source} into {target} in {report.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s:");
        var width = report.Tables.Max(t => t.Name.Length);
        foreach (var table in report.Tables)
        {
            output.WriteLine($"  {table.Name.PadRight(width)} {table.Rows.ToString("N0", CultureInfo.InvariantCulture),12}");
        }

        if (report.Delivering > 0)
        {
            var calls = report.Delivering == 1 ? "1 call was" : $"{report.Delivering} calls were";
            output.WriteLine($"{calls} being delivered when the relay stopped: copied as Delivering, they go back in the queue " +
                "when the first relay on PostgreSQL takes the dispatcher role.");
        }

        output.WriteLine("Not copied: Hangfire's job history (the relay registers its recurring jobs again at start) and the free-text " +
            "search index (the relay builds it again in the background).");
        output.WriteLine("Next: start the relay with Storage__Provider=Postgres and ConnectionStrings__Userlist set to this connection string " +
            "(README, Moving to PostgreSQL); keep the SQLite data folder until it runs.");
    }

    private static string? TargetProblem(string target)
    {
        try
        {
            return string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(target).Host)
                ? "The connection string must name the PostgreSQL server and database (Host=...;Database=...;Username=...;Password=...)."
                : null;
        }
        catch (ArgumentException invalid)
        {
            return $"That is not a PostgreSQL connection string ({invalid.Message}).";
        }
    }

    /// <summary>The database and server, never the password.</summary>
    private static string Describe(string target)
    {
        var builder = new NpgsqlConnectionStringBuilder(target);
        return $"PostgreSQL database {builder.Database ?? builder.Username} on {builder.Host}";
    }
}
