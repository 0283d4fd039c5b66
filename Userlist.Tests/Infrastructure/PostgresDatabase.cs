namespace Userlist.Tests.Infrastructure;

/// <summary>
/// A class fixture: one empty database on the shared <see cref="PostgresServer"/> for a test class,
/// dropped after its last test. Reading <see cref="ConnectionString"/> skips the test (or fails it
/// under CI=true) when PostgreSQL is not installed, so tests that use it are [SkippableFact]s.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private string? connectionString;

    public string ConnectionString
    {
        get
        {
            PostgresServer.SkipUnlessInstalled();
            return connectionString ?? throw new InvalidOperationException("the database is made in InitializeAsync");
        }
    }

    public async Task InitializeAsync()
    {
        // Without PostgreSQL there is nothing to make: each test then skips, or fails under CI, itself.
        if (PostgresServer.IsInstalled)
        {
            connectionString = await PostgresServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (connectionString is not null)
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }
}
