using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage.Sqlite;
using Userlist.Dashboard.Operators.Postgres;
using Userlist.Dashboard.Operators.Sqlite;

namespace Userlist.Dashboard.Operators;

public static class OperatorsSetup
{
    public const string LoginPath = "/account/login";
    public const string SetupPath = "/account/setup";

    /// <summary>
    /// Operators sign in with ASP.NET Core Identity (cookie), locked out after repeated failures,
    /// with sign-in attempts limited per client address.
    /// Everything needs a signed-in operator unless it says otherwise (ingest, static assets, the
    /// sign-in pages).
    /// </summary>
    public static IServiceCollection AddRelayOperators(this IServiceCollection services, StorageProvider storage)
    {
        services.AddOptions<FirstOperatorOptions>().BindConfiguration(FirstOperatorOptions.SectionName);
        if (storage == StorageProvider.Postgres)
        {
            services.AddDbContext<OperatorsDbContext, PostgresOperatorsDbContext>((provider, db) => db.UseNpgsql(
                ConnectionString(provider), npgsql => npgsql.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable)));
            // The key ring lives in this context: the same instance serves Identity and Data Protection.
            services.AddScoped(provider => (PostgresOperatorsDbContext)provider.GetRequiredService<OperatorsDbContext>());
        }
        else
        {
            services.AddDbContext<OperatorsDbContext, SqliteOperatorsDbContext>((provider, db) => db.UseRelaySqlite(
                provider, sqlite => sqlite.MigrationsHistoryTable(OperatorsDbContext.MigrationsHistoryTable)));
        }

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddIdentityCore<IdentityUser>(identity =>
            {
                // Length over character classes, as current guidance has it.
                identity.Password.RequiredLength = 10;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                identity.Lockout.AllowedForNewUsers = true;
                identity.User.RequireUniqueEmail = true;
            })
            .AddEntityFrameworkStores<OperatorsDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = LoginPath;
            cookie.Cookie.Name = "userlist-relay";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.SlidingExpiration = true;
        });
        // A removed operator's sign-in ends within a minute: the cookie's security stamp is checked
        // that often (the default is 30 minutes), and so are open pages (before Blazor's own provider).
        services.Configure<SecurityStampValidatorOptions>(stamps => stamps.ValidationInterval = OperatorSessions.CheckInterval);
        services.TryAddScoped<AuthenticationStateProvider, OperatorSessions>();
        services.AddAuthorizationBuilder().SetFallbackPolicy(
            new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddCascadingAuthenticationState();
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, SignInRateLimit>(SignInRateLimit.Policy));
        services.AddHostedService<OperatorsInitializer>();
        services.AddSingleton<OperatorAccounts>();
        return services;
    }

    private static string ConnectionString(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString;
}
