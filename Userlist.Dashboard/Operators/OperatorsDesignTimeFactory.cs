using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Userlist.Dashboard.Operators;

/// <summary>Lets `dotnet ef migrations add` build the operators' model without starting the host.</summary>
internal sealed class OperatorsDesignTimeFactory : IDesignTimeDbContextFactory<OperatorsDbContext>
{
    public OperatorsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OperatorsDbContext>()
            .UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable))
            .Options);
}
