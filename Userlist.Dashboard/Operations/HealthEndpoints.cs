using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Userlist.Dashboard.Operations;

/// <summary>
/// <c>/healthz</c>: the process answers (no I/O), for a liveness probe that restarts a hung relay.
/// <c>/readyz</c>: the relay can do its work (database writable, migrations applied, job server
/// beating) and what holds delivery, for a readiness probe or a monitor; 503 when it cannot.
/// Both are anonymous, never redirect to sign-in, and say nothing secret: each check's status and
/// its own sentence, never an exception's text.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    public static IServiceCollection AddRelayHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseWritableCheck>("database")
            .AddCheck<MigrationsAppliedCheck>("migrations")
            .AddCheck<JobServerCheck>("job-server")
            .AddCheck<DeliveryStateCheck>("delivery");
        return services;
    }

    public static IEndpointRouteBuilder MapRelayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync }).AllowAnonymous();
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions { ResponseWriter = WriteJsonAsync }).AllowAnonymous();
        return endpoints;
    }

    private static Task WriteJsonAsync(HttpContext http, HealthReport report) =>
        http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                // A check that threw carries the exception's text, which may name paths or hosts: the log has it.
                description = entry.Value.Exception is null ? entry.Value.Description : "the check failed; the relay's log says why",
                durationMs = (int)entry.Value.Duration.TotalMilliseconds,
            }),
        }, JsonOptions, http.RequestAborted);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
