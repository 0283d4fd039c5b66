using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run, started on first use in a temp folder
/// and on a free loopback port, stopped and deleted once the test process is gone. Each test class
/// gets a database of its own from it (<see cref="PostgresDatabase"/>). Tests that need it
/// are skipped with instructions when PostgreSQL is not installed, except under CI=true, where
/// that is a failure. A system cluster on 5432 (Debian's package may start one) is never used.
/// </summary>
public static class PostgresServer
{
    private const string FolderPrefix = "userlist-postgres-";
    private const string DatabasePrefix = "test_";

    private static readonly Lazy<Task<Cluster>> Shared = new(Cluster.StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The newest installed server's programs (Debian: /usr/lib/postgresql/&lt;version&gt;/bin), or null.</summary>
    public static string? BinFolder { get; } = FindBinFolder();

    public static bool IsInstalled => BinFolder is not null;

    public static void SkipUnlessInstalled() => Prerequisite.SkipOrFailIfMissing(
        IsInstalled ? null : "PostgreSQL is not installed (apt-get update && apt-get install -y postgresql)",
        "PostgreSQL");

    /// <summary>
    /// Creates an empty database with a unique name and returns its connection string
    /// (Host=127.0.0.1, user postgres, no password). Starts the server on first use.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        SkipUnlessInstalled();
        var cluster = await Shared.Value;
        var name = DatabasePrefix + Guid.NewGuid().ToString("N");
        await cluster.ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        return cluster.ConnectionString(name);
    }

    /// <summary>Drops a database that <see cref="CreateDatabaseAsync"/> made, ending the sessions still on it.</summary>
    public static async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (name is null || !name.StartsWith(DatabasePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"not a database this fixture made: {name}", nameof(connectionString));
        }

        using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await (await Shared.Value).ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", cancellationToken);
    }

    private static string? FindBinFolder() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(version => File.Exists(Path.Combine(version, "bin", "initdb")))
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(version => Path.Combine(version, "bin"))
                .FirstOrDefault()
            : null;

    private sealed class Cluster
    {
        private readonly int port;
        private readonly NpgsqlDataSource admin;

        private Cluster(int port)
        {
            this.port = port;
            admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
        }

        public string ConnectionString(string database) =>
            new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = database }.ConnectionString;

        public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
        {
            await using var command = admin.CreateCommand(sql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public static async Task<Cluster> StartAsync()
        {
            var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
            try
            {
                await RemoveWhenThisProcessIsGoneAsync(folder);
                var cluster = new Cluster(await InitializeAndStartAsync(folder));
                await cluster.UntilAcceptsConnectionsAsync();
                return cluster;
            }
            catch
            {
                await RemoveAsync(folder);
                throw;
            }
        }

        /// <summary>Makes the cluster in the folder and starts it; returns its port.</summary>
        private static async Task<int> InitializeAndStartAsync(string folder)
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunCheckedAsync(("chown", ["postgres:postgres", folder]));
            }

            await RunCheckedAsync(AsPostgres("initdb", "-D", DataFolder(folder), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-instructions"));
            // fsync and synchronous_commit stay on (the defaults, said here so no one turns them
            // off for speed): tests of acknowledged calls surviving a crash rely on them.
            await File.AppendAllTextAsync(Path.Combine(DataFolder(folder), "postgresql.conf"), $"""

                listen_addresses = '127.0.0.1'
                unix_socket_directories = '{folder}'
                fsync = on
                synchronous_commit = on
                max_connections = 300
                shared_buffers = 32MB
                """);

            var log = Path.Combine(folder, "server.log");
            for (var attempt = 1; ; attempt++)
            {
                File.Delete(log);
                var port = RelayProcess.FreePort();
                var (exitCode, output) = await RunAsync(AsPostgres("pg_ctl", "start", "-D", DataFolder(folder), "-l", log, "-w", "-t", "60", "-o", $"-p {port}"));
                if (exitCode == 0)
                {
                    return port;
                }

                // Something else may take the free port before the server binds it: take another.
                var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
                if (attempt == 3 || !serverLog.Contains("Address already in use", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"PostgreSQL did not start in {folder}: {output}{serverLog}");
                }
            }
        }

        private async Task UntilAcceptsConnectionsAsync()
        {
            var probe = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ConnectionString;
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    await using var connection = new NpgsqlConnection(probe);
                    await connection.OpenAsync();
                    return true;
                }
                catch (NpgsqlException)
                {
                    return false;
                }
            }, $"PostgreSQL accepts connections on 127.0.0.1:{port}", TimeSpan.FromSeconds(30));
        }

        /// <summary>
        /// Starts a watchdog, detached from this process, that stops the server and deletes the
        /// folder once this process has exited. Not a ProcessExit handler: vstest kills the test host
        /// about 100 ms after the run, before a stop could finish (seen here), and a crashed or
        /// killed run (a hang timeout, SIGKILL) runs no handler at all.
        /// </summary>
        private static Task RemoveWhenThisProcessIsGoneAsync(string folder)
        {
            const string script = """
                exec </dev/null >/dev/null 2>&1
                tail --pid="$1" -f /dev/null
                folder="$2"
                shift 2
                "$@"
                rm -rf "$folder"
                """;
            var (stop, stopArguments) = StopCommand(folder);
            var testProcess = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            return RunCheckedAsync(("setsid", ["--fork", "bash", "-c", script, "watchdog", testProcess, folder, stop, .. stopArguments]));
        }

        /// <summary>Stops the server (if it runs) and deletes the folder, now: for a start that failed.</summary>
        private static async Task RemoveAsync(string folder)
        {
            await RunAsync(StopCommand(folder));
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // The watchdog tries again; never a reason to hide why the start failed.
            }
        }

        private static string DataFolder(string folder) => Path.Combine(folder, "data");

        private static (string File, string[] Arguments) StopCommand(string folder) =>
            AsPostgres("pg_ctl", "stop", "-D", DataFolder(folder), "-m", "immediate", "-w");

        /// <summary>PostgreSQL refuses to run as root (as tests and CI run here): then its programs run as the postgres user.</summary>
        private static (string File, string[] Arguments) AsPostgres(string program, params string[] arguments) =>
            Environment.IsPrivilegedProcess
                ? ("runuser", ["-u", "postgres", "--", Path.Combine(BinFolder!, program), .. arguments])
                : (Path.Combine(BinFolder!, program), arguments);

        private static async Task RunCheckedAsync((string File, string[] Arguments) command)
        {
            var (exitCode, output) = await RunAsync(command);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"{command.File} {string.Join(' ', command.Arguments)} exited with {exitCode}: {output}");
            }
        }

        private static async Task<(int ExitCode, string Output)> RunAsync((string File, string[] Arguments) command)
        {
            // pg_ctl hands the server its log file (-l), so the server never holds these pipes open.
            var start = new ProcessStartInfo(command.File, command.Arguments)
            {
                WorkingDirectory = Path.GetTempPath(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await errors);
        }
    }
}
