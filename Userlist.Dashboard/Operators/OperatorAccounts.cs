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
public sealed class OperatorAccounts(IServiceScopeFactory scopes, AuditLog audit, TimeProvider time)
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

    /// <summary>
    /// Removes another operator, never the one asking and never the last one; audited. Their
    /// sign-in ends at their next request or within <see cref="OperatorSessions.CheckInterval"/>
    /// on an open page. Returns what was wrong, or nothing when it worked.
    /// </summary>
    public Task<IReadOnlyList<string>> RemoveAsync(string email, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<string>>(async () =>
    {
        if (string.Equals(email, operatorName, StringComparison.OrdinalIgnoreCase))
        {
            return ["You can't remove yourself: another operator can."];
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            return [$"No operator {email}"];
        }

        if (await users.Users.CountAsync(cancellationToken) <= 1)
        {
            return ["The last operator can't be removed: no one could sign in."];
        }

        var errors = Errors(await users.DeleteAsync(user));
        if (errors.Count == 0)
        {
            await audit.RecordAsync(operatorName, "Operator", $"Removed operator {email}", null, cancellationToken);
        }

        return errors;
    });

    /// <summary>Lifts a lockout (too many wrong passwords) at once; audited. Returns what was wrong, or nothing when it worked.</summary>
    public Task<IReadOnlyList<string>> UnlockAsync(string email, string operatorName, CancellationToken cancellationToken) => StorageCalls.RunAsync<IReadOnlyList<string>>(async () =>
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            return [$"No operator {email}"];
        }

        if (!await users.IsLockedOutAsync(user))
        {
            return [$"{email} is not locked"];
        }

        var errors = Errors(await users.SetLockoutEndDateAsync(user, null));
        if (errors.Count == 0)
        {
            errors = Errors(await users.ResetAccessFailedCountAsync(user));
            await audit.RecordAsync(operatorName, "Operator", $"Unlocked operator {email}", null, cancellationToken);
        }

        return errors;
    });

    private static UserManager<IdentityUser> Users(AsyncServiceScope scope) =>
        scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();

    private static List<string> Errors(IdentityResult result) => result.Errors.Select(e => e.Description).ToList();
}
