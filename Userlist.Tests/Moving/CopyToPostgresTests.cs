using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Dashboard.Operators;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Ingest;
using Userlist.Tests.Operations;
using Userlist.Tests.Operators;

namespace Userlist.Tests.Moving;

/// <summary>
/// <c>dotnet Userlist.Dashboard.dll copy-to-postgres "&lt;connection string&gt;"</c> on the built output:
/// a relay used on SQLite, stopped, copied, then started on PostgreSQL carries on where it was.
/// </summary>
[Collection(RelayProcessCollection.Name)]
public sealed class CopyToPostgresTests
{
    private const string Operator = "ops@example.com";
    private const string Password = "correct horse battery";
    private const string SavedPushKey = "push-saved-key-4321";

    private static readonly string[] RelayTables =
        ["Messages", "DeliveryAttempts", "Settings", "AuditLog", "WriteKeys", "HourlyActivity", "AspNetUsers", "DataProtectionKeys"];

    [SkippableFact]
    public async Task CopyToPostgres_FromAStoppedRelay_RelayOnPostgresCarriesOnWithEverything_AndASecondCopyIsRefused()
    {
        await using var target = await TestDatabase.CreateAsync(StorageKind.Postgres);
        var database = target.ConnectionString;
        using var data = new TemporaryFolder();
        await using var userlist = await FakeUserlist.StartAsync();
        var used = await UseOnSqliteAsync(data, userlist);
        // What a crash leaves: a call claimed by a dispatcher that is gone.
        await ExecuteOnSqliteAsync(RelayProcess.DatabasePath(data.Path),
            $"UPDATE Messages SET Status = {(int)MessageStatus.Delivering}, LeaseToken = 'crashed', LeaseExpiresAt = '2999-01-01 00:00:00' WHERE MessageId = 'waiting-2'");

        await using (var copy = RelayProcess.Start(data.Path, null, "copy-to-postgres", database))
        {
            var exitCode = await copy.ExitCodeAsync();
            Assert.True(exitCode == 0, $"exit code {exitCode}: {string.Join(Environment.NewLine, copy.Errors)}");
            Assert.StartsWith($"Copied {RelayProcess.DatabasePath(data.Path)} into PostgreSQL database ", copy.Output[0]);
            Assert.Contains(copy.Output, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["Messages", var rows] && rows == used.Calls.Count.ToString(CultureInfo.InvariantCulture));
            Assert.Contains(copy.Output, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["DataProtectionKeys", var keys] && keys != "0");
            Assert.Contains(copy.Output, l => l.StartsWith("1 call was being delivered when the relay stopped", StringComparison.Ordinal));
            Assert.Contains(copy.Output, l => l.StartsWith("Next: start the relay with Storage__Provider=Postgres", StringComparison.Ordinal));
            Assert.DoesNotContain(copy.Output, l => l.Contains("Password", StringComparison.OrdinalIgnoreCase));
        }

        await using (var moved = new RelayFactory(target))
        {
            moved.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
            using var client = moved.CreateClient();

            var calls = await moved.MessagesAsync();
            Assert.Equal(used.Calls.Select(Call), calls.Select(Call));
            Assert.Equal(used.Attempts, await AttemptsAsync(moved));
            Assert.Equal(used.Audit, (await moved.Services.GetRequiredService<AuditLog>().NewestAsync(100, CancellationToken.None)).Select(e => e.Detail));
            Assert.Equal(777, moved.Services.GetRequiredService<IOptionsMonitor<UserlistOptions>>().CurrentValue.RequestsPerMinute);
            var delivery = moved.Services.GetRequiredService<DeliverySettings>();
            Assert.Equal((DeliverySettings.Mask(SavedPushKey), "saved in the dashboard"), await delivery.PushKeyHintAsync(CancellationToken.None));

            // Delivery resumes with the Push API key saved on SQLite, decrypted with the copied key ring.
            var sentBefore = userlist.Requests.Count;
            await delivery.UnpauseAsync(Operator, CancellationToken.None);
            await moved.Services.GetRequiredService<DeliveryDispatcher>().RefreshBlockAsync(CancellationToken.None);
            await Eventually.HoldsAsync(async () => (await moved.MessagesAsync()).Count(m => m.Status == MessageStatus.Delivered) == 5,
                "the calls that waited, the claimed one included, are delivered", TimeSpan.FromSeconds(30));
            Assert.Equal(2, userlist.Requests.Count - sentBefore);
            Assert.All(userlist.Requests.Skip(sentBefore), r => Assert.Equal("Push " + SavedPushKey, r.Authorization));

            // The write key made in the dashboard is accepted, and the new call's number follows the copied ones.
            await (await client.SendAsync(moved.Post("/v1/track", """{"userId":"u9","event":"Moved","messageId":"after-move"}""", used.WriteKey))).AssertSuccessAsync();
            var after = Assert.Single(await moved.MessagesAsync(), m => m.MessageId == "after-move");
            Assert.True(after.Id > used.Calls.Max(m => m.Id), $"call #{after.Id} reuses a copied call's number");

            var signedIn = await AccountForms.SignInAsync(client, Operator, Password);
            Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        }

        var rowsBefore = await RowCountsAsync(database);
        await using var second = RelayProcess.Start(data.Path, null, "copy-to-postgres", database);

        Assert.Equal(1, await second.ExitCodeAsync());
        var refusal = Assert.Single(second.Errors, l => l.Length > 0);
        Assert.StartsWith("The PostgreSQL database already holds relay data (in ", refusal);
        Assert.All(RelayTables, table => Assert.Contains(table, refusal, StringComparison.Ordinal));
        Assert.DoesNotContain(second.Output, l => l.Length > 0);
        Assert.Equal(rowsBefore, await RowCountsAsync(database));
    }

    [SkippableFact]
    public async Task CopyToPostgres_WhileTheRelayRuns_RefusesInOneLineAndTouchesNeitherDatabase()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var data = new TemporaryFolder();
        await using var relay = new RelayFactory(data);
        using var client = relay.CreateClient();
        await (await client.SendAsync(relay.Post("/v1/track", """{"userId":"u","event":"E","messageId":"m1"}"""))).AssertSuccessAsync();

        await using var copy = RelayProcess.Start(data.Path, null, "copy-to-postgres", database);

        Assert.Equal(1, await copy.ExitCodeAsync());
        Assert.Equal($"A relay is running on {relay.DatabasePath}: stop it first, so that no call arrives after the copy.", Assert.Single(copy.Errors, l => l.Length > 0));
        Assert.Equal(0, await TableCountAsync(database));
        await (await client.SendAsync(relay.Post("/v1/track", """{"userId":"u","event":"E","messageId":"m2"}"""))).AssertSuccessAsync();
    }

    [SkippableFact]
    public async Task CopyToPostgres_FailingPartWay_CommitsNothing_AndRunsAgainOnceFixed()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var data = new TemporaryFolder();
        await using (var relay = new RelayFactory(data))
        {
            using var client = relay.CreateClient();
            await (await client.SendAsync(relay.Post("/v1/track", """{"userId":"u","event":"E","messageId":"m1"}"""))).AssertSuccessAsync();
        }

        // The key ring is copied last, after every table: a damaged key file fails the copy at its end.
        var damaged = Path.Combine(data.Path, "keys", "key-damaged.xml");
        await File.WriteAllTextAsync(damaged, "<key id=");
        await using (var copy = RelayProcess.Start(data.Path, null, "copy-to-postgres", database))
        {
            Assert.Equal(1, await copy.ExitCodeAsync());
            Assert.StartsWith("Copy failed, nothing was committed to PostgreSQL: ", Assert.Single(copy.Errors, l => l.Length > 0));
        }

        Assert.All(await RowCountsAsync(database), table => Assert.Equal(0, table.Value));
        File.Delete(damaged);
        await using var again = RelayProcess.Start(data.Path, null, "copy-to-postgres", database);
        Assert.Equal(0, await again.ExitCodeAsync());
        Assert.Equal(1, (await RowCountsAsync(database))["Messages"]);
    }

    [Fact]
    public async Task CopyToPostgres_RelayConfiguredForPostgres_ExitsWithTheReason()
    {
        using var data = new TemporaryFolder();

        await using var copy = RelayProcess.Start(data.Path, new() { ["Storage__Provider"] = "Postgres" }, "copy-to-postgres", "Host=127.0.0.1;Database=target");

        Assert.Equal(2, await copy.ExitCodeAsync());
        Assert.StartsWith("Storage:Provider is not Sqlite: copy-to-postgres copies a relay's SQLite database", Assert.Single(copy.Errors, l => l.Length > 0));
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task CopyToPostgres_NoDatabaseThere_ExitsWithTheReasonAndCreatesNone()
    {
        using var data = new TemporaryFolder();

        await using var copy = RelayProcess.Start(data.Path, null, "copy-to-postgres", "Host=127.0.0.1;Database=target");

        Assert.Equal(1, await copy.ExitCodeAsync());
        Assert.StartsWith($"There is no database at {RelayProcess.DatabasePath(data.Path)}", Assert.Single(copy.Errors, l => l.Length > 0));
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));
    }

    /// <summary>
    /// A relay on SQLite used as an operator would: a Push API key and a setting saved in the
    /// dashboard, a write key and a second operator made there, calls delivered (with their
    /// attempts) or skipped, then delivery paused with calls waiting. Stopped before it returns.
    /// </summary>
    private static async Task<UsedRelay> UseOnSqliteAsync(TemporaryFolder data, FakeUserlist userlist)
    {
        await using var relay = new RelayFactory(data);
        relay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
        using var client = relay.CreateClient();
        var services = relay.Services;
        var delivery = services.GetRequiredService<DeliverySettings>();
        await delivery.SavePushKeyAsync(SavedPushKey, Operator, CancellationToken.None);
        Assert.Empty(await services.GetRequiredService<SettingsOverrides>().SaveAsync(
            new Dictionary<string, string?> { [SettingKeys.RequestsPerMinute] = "777" }, Operator, CancellationToken.None));
        var writeKey = await services.GetRequiredService<WriteKeyAdmin>().CreateAsync("Mobile app", Operator, CancellationToken.None);
        Assert.Empty(await services.GetRequiredService<OperatorAccounts>().AddAsync(Operator, Password));

        await SendAsync(relay, client, "/v1/identify", """{"userId":"u1","traits":{"email":"a@example.com"},"messageId":"sent-1"}""");
        await SendAsync(relay, client, "/v1/track", """{"userId":"u1","event":"Signed Up","messageId":"sent-2"}""");
        await SendAsync(relay, client, "/v1/identify", """{"userId":"u2","traits":{"email":"b@example.com"},"messageId":"sent-3"}""");
        await SendAsync(relay, client, "/v1/page", """{"userId":"u2","name":"Pricing","messageId":"skipped-1"}""");
        await Eventually.HoldsAsync(async () => (await relay.MessagesAsync()).All(m => m.Status is MessageStatus.Delivered or MessageStatus.Skipped),
            "the first calls are delivered or skipped", TimeSpan.FromSeconds(30));

        await delivery.PauseAsync(Operator, CancellationToken.None);
        await services.GetRequiredService<DeliveryDispatcher>().RefreshBlockAsync(CancellationToken.None);
        await SendAsync(relay, client, "/v1/track", """{"userId":"u1","event":"Report Exported","messageId":"waiting-1"}""", writeKey);
        await SendAsync(relay, client, "/v1/track", """{"userId":"u2","event":"Report Exported","messageId":"waiting-2"}""", writeKey);

        var calls = await relay.MessagesAsync();
        Assert.Equal(3, calls.Count(m => m.Status == MessageStatus.Delivered));
        Assert.Equal(2, calls.Count(m => m.Status == MessageStatus.Pending));
        var audit = (await services.GetRequiredService<AuditLog>().NewestAsync(100, CancellationToken.None)).Select(e => e.Detail).ToList();
        return new UsedRelay(calls, await AttemptsAsync(relay), audit, writeKey);
    }

    private static async Task SendAsync(RelayFactory relay, HttpClient client, string path, string body, string writeKey = RelayFactory.WriteKey) =>
        await (await client.SendAsync(relay.Post(path, body, writeKey))).AssertSuccessAsync();

    /// <summary>What the event log shows of a call; times to the microsecond, PostgreSQL's precision.</summary>
    private static (long, string, string, MessageStatus, string?, int, long) Call(Message m) =>
        (m.Id, m.SourceId, m.MessageId, m.Status == MessageStatus.Delivering ? MessageStatus.Pending : m.Status, m.StatusReason, m.AttemptCount, m.ReceivedAt.Ticks / 10);

    private static async Task<List<(long, long, string, int?)>> AttemptsAsync(RelayFactory relay)
    {
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return (await db.DeliveryAttempts.AsNoTracking().OrderBy(a => a.Id).ToListAsync()).Select(a => (a.Id, a.MessageRowId, a.Outcome, a.StatusCode)).ToList();
    }

    private static async Task ExecuteOnSqliteAsync(string databasePath, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<Dictionary<string, long>> RowCountsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var counts = new Dictionary<string, long>();
        foreach (var table in RelayTables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }

        return counts;
    }

    private static async Task<long> TableCountAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private sealed record UsedRelay(List<Message> Calls, List<(long, long, string, int?)> Attempts, List<string> Audit, string WriteKey);
}
