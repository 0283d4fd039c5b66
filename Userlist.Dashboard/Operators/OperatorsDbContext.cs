using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// The dashboard's operators (ASP.NET Core Identity), in the relay's database beside the calls,
/// with a migration history of its own so the product's model stays free of sign-in. Each provider
/// derives its own context only so that its migrations are told apart.
/// </summary>
public abstract class OperatorsDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser>(options)
{
    public const string MigrationsHistoryTable = "__OperatorsMigrationsHistory";
}
