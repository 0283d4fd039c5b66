using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>The relay's model on SQLite, with the migrations in Sqlite/Migrations.</summary>
public sealed class SqliteRelayDbContext(DbContextOptions<SqliteRelayDbContext> options) : RelayDbContext(options);

/// <summary>Lets `dotnet ef migrations add ... --context SqliteRelayDbContext` build the model without the web host.</summary>
internal sealed class SqliteRelayDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRelayDbContext>
{
    public SqliteRelayDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRelayDbContext>().UseSqlite("Data Source=design.db").Options);
}
