using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// Sign-in, first-operator setup and sign-out: form posts (anti-forgery checked), because the
/// sign-in cookie must be set on a plain HTTP response, not over the Blazor circuit.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account");
        account.MapPost("/login", LoginAsync).AllowAnonymous();
        account.MapPost("/setup", SetupAsync).AllowAnonymous();
        account.MapPost("/logout", LogoutAsync);
        return endpoints;
    }

    public static async Task<IResult> LoginAsync(
        [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl, SignInManager<IdentityUser> signIn)
    {
        var result = await signIn.PasswordSignInAsync(email, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }

        var error = result.IsLockedOut ? "locked" : "invalid";
        return Results.LocalRedirect($"{OperatorsSetup.LoginPath}?error={error}&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(IsLocal(returnUrl) ? returnUrl! : "/")}");
    }

    /// <summary>Creates the first operator; closed for good once any operator exists.</summary>
    public static async Task<IResult> SetupAsync(
        [FromForm] string email, [FromForm] string password, [FromForm] string confirm,
        UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn)
    {
        if (await users.Users.AnyAsync())
        {
            return Results.LocalRedirect(OperatorsSetup.LoginPath);
        }

        if (password != confirm)
        {
            return SetupError("The two passwords differ", email);
        }

        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return SetupError(string.Join(" ", created.Errors.Select(e => e.Description)), email);
        }

        await signIn.SignInAsync(user, isPersistent: false);
        return Results.LocalRedirect("/");
    }

    public static async Task<IResult> LogoutAsync(SignInManager<IdentityUser> signIn)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect(OperatorsSetup.LoginPath);
    }

    /// <summary>Back to the form with the reason, and the email typed, so only the passwords need typing again.</summary>
    private static IResult SetupError(string message, string email) =>
        Results.LocalRedirect($"{OperatorsSetup.SetupPath}?error={Uri.EscapeDataString(message)}&email={Uri.EscapeDataString(email)}");

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
