using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Operators;

/// <summary>An operator as the dashboard lists them.</summary>
public sealed record OperatorSummary(string Email, DateTimeOffset? LockedUntil);

/// <summary>
/// Operator accounts for the dashboard's pages. Each call works in a scope of its own, so no
/// Identity store (and its DbContext) lives as long as a Blazor circuit.
/// </summary>
public sealed class OperatorAccounts(IServiceScopeFactory scopes, TimeProvider time)
{
    public Task<IReadOnlyList<OperatorSummary>> ListAsync(CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<OperatorSummary>>(async () =>
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = await Users(scope).Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return users.Select(u => new OperatorSummary(u.Email ?? u.UserName ?? "", u.LockoutEnd > now ? u.LockoutEnd : null)).ToList();
    });

    /// <summary>Adds an operator; returns what was wrong, or nothing when it worked.</summary>
    public Task<IReadOnlyList<string>> AddAsync(string email, string password) => StorageCalls.RunAsync<IReadOnlyList<string>>(async () =>
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await Users(scope).CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, password);
        return Errors(result);
    });

    /// <summary>Changes an operator's own password; returns what was wrong, or nothing when it worked.</summary>
    public Task<IReadOnlyList<string>> ChangePasswordAsync(string email, string currentPassword, string newPassword) => StorageCalls.RunAsync<IReadOnlyList<string>>(async () =>
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await users.FindByEmailAsync(email);
        return user is null
            ? ["No such operator"]
            : Errors(await users.ChangePasswordAsync(user, currentPassword, newPassword));
    });

    private static UserManager<IdentityUser> Users(AsyncServiceScope scope) =>
        scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();

    private static List<string> Errors(IdentityResult result) => result.Errors.Select(e => e.Description).ToList();
}
