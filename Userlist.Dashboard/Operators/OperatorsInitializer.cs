using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Operators;

/// <summary>
/// At start, before the web server: applies the operators' migrations and, when no operator
/// exists yet and <c>Dashboard:AdminEmail</c> and <c>Dashboard:AdminPassword</c> are set, creates
/// the first one.
/// </summary>
internal sealed partial class OperatorsInitializer(
    IServiceScopeFactory scopes,
    IOptions<FirstOperatorOptions> options,
    ILogger<OperatorsInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OperatorsDbContext>().Database.MigrateQuietlyAsync(cancellationToken);

        var (email, password) = (options.Value.AdminEmail, options.Value.AdminPassword);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var created = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(
                "Dashboard:AdminEmail/AdminPassword could not create the first operator: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        LogCreated(email);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first operator, {Email}, from Dashboard:AdminEmail")]
    private partial void LogCreated(string email);
}
