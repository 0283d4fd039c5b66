using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// The dashboard's operators (ASP.NET Core Identity), in the relay's database beside the calls,
/// with a migration history of its own so the product's model stays free of sign-in.
/// </summary>
public sealed class OperatorsDbContext(DbContextOptions<OperatorsDbContext> options) : IdentityDbContext<IdentityUser>(options)
{
    public const string MigrationsHistoryTable = "__OperatorsMigrationsHistory";
}
