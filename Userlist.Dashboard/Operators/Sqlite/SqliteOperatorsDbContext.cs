using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Userlist.Dashboard.Operators.Sqlite;

/// <summary>Operators on SQLite, with the migrations in Operators/Sqlite/Migrations.</summary>
public sealed class SqliteOperatorsDbContext(DbContextOptions<SqliteOperatorsDbContext> options) : OperatorsDbContext(options);

/// <summary>Lets `dotnet ef migrations add ... --context SqliteOperatorsDbContext` build the model without the host.</summary>
internal sealed class SqliteOperatorsDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOperatorsDbContext>
{
    public SqliteOperatorsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOperatorsDbContext>()
            .UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable))
            .Options);
}
