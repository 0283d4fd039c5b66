using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Userlist.Dashboard.Components.Shared;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// Sign-in, first-operator setup and sign-out: form posts (anti-forgery checked), because the
/// sign-in cookie must be set on a plain HTTP response, not over the Blazor circuit.
/// </summary>
public static class AccountEndpoints
{
    /// <summary>A hash no password matches, checked when there is no operator's hash to check.</summary>
    private static string? unusedHash;

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account");
        account.MapPost("/login", LoginAsync).AllowAnonymous().RequireRateLimiting(SignInRateLimit.Policy);
        account.MapPost("/setup", SetupAsync).AllowAnonymous();
        account.MapPost("/logout", LogoutAsync);
        return endpoints;
    }

    /// <summary>
    /// Signs in and goes to <paramref name="returnUrl"/> when it is local by the framework's rules,
    /// else to <c>/</c>. A wrong password, an unknown email and a locked account get the same
    /// answer after the same work (one password hash checked), so the form tells no one which
    /// emails are operators; the lockout still applies.
    /// </summary>
    public static async Task<IResult> LoginAsync(
        [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl,
        UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn)
    {
        var target = RedirectHttpResult.IsLocalUrl(returnUrl) ? returnUrl! : "/";
        var user = await users.FindByNameAsync(email);
        if (user is not null && !await users.IsLockedOutAsync(user))
        {
            var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
            return result.Succeeded ? Results.LocalRedirect(target) : Refused(email, target);
        }

        // Identity checks no password for an unknown email or a locked account: check one anyway.
        unusedHash ??= users.PasswordHasher.HashPassword(new IdentityUser(), Guid.NewGuid().ToString());
        users.PasswordHasher.VerifyHashedPassword(user ?? new IdentityUser(), unusedHash, password);
        return Refused(email, target);
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

        // The form's fields stop one character past these; a crafted post is told the same.
        if ((TextLimit.Address.Problem("Email", email) ?? TextLimit.Secret.Problem("Password", password)) is { } tooLong)
        {
            return SetupError(tooLong, TextLimit.Address.Exceeded(email) ? "" : email);
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

    /// <summary>
    /// Signs out, with a valid anti-forgery token only (the antiforgery middleware checks only
    /// endpoints that bind a form, and this one binds none). A new security stamp ends every
    /// cookie of this operator's, copies saved elsewhere included, within
    /// <see cref="OperatorSessions.CheckInterval"/>.
    /// </summary>
    public static async Task<IResult> LogoutAsync(
        HttpContext http, IAntiforgery antiforgery, UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.BadRequest();
        }

        if (await users.GetUserAsync(http.User) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return Results.LocalRedirect(OperatorsSetup.LoginPath);
    }

    /// <summary>Back to the sign-in form, with the email typed.</summary>
    private static IResult Refused(string email, string returnUrl) =>
        Results.LocalRedirect($"{OperatorsSetup.LoginPath}?error=invalid&email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(returnUrl)}");

    /// <summary>Back to the form with the reason, and the email typed, so only the passwords need typing again.</summary>
    private static IResult SetupError(string message, string email) =>
        Results.LocalRedirect($"{OperatorsSetup.SetupPath}?error={Uri.EscapeDataString(message)}&email={Uri.EscapeDataString(email)}");
}
