using Npgsql;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Storage;

public sealed class PostgresServerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [SkippableFact]
    public async Task CreateDatabase_TableMadeInOne_IsNotInTheOther()
    {
        var mine = database.ConnectionString;
        var other = await PostgresServer.CreateDatabaseAsync();
        try
        {
            await ExecuteAsync(mine, "CREATE TABLE notes (body text)");

            Assert.Equal("notes", await ScalarAsync(mine, "SELECT to_regclass('notes')::text"));
            Assert.Null(await ScalarAsync(other, "SELECT to_regclass('notes')::text"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(other);
        }
    }

    [SkippableFact]
    public async Task CommittedRow_ReadOnAFreshConnection_IsThere()
    {
        await using (var writer = new NpgsqlConnection(database.ConnectionString))
        {
            await writer.OpenAsync();
            await using var transaction = await writer.BeginTransactionAsync();
            await using var insert = new NpgsqlCommand("CREATE TABLE calls (id text); INSERT INTO calls VALUES ('committed')", writer, transaction);
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        // No pool: a new server session, not the writer's again.
        var fresh = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        Assert.Equal("committed", await ScalarAsync(fresh, "SELECT id FROM calls"));
        Assert.Equal("on", await ScalarAsync(fresh, "SHOW fsync"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() as string;
    }
}
