using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Userlist.Core.Storage;
using Userlist.Dashboard.Operators;

namespace Userlist.Dashboard.Operations;

/// <summary>Ready only when both schemas (the relay's and the operators') have every committed migration.</summary>
internal sealed class MigrationsAppliedCheck(StorageHealth storage, IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var operators = scope.ServiceProvider.GetRequiredService<OperatorsDbContext>();
        var pending = (await storage.PendingMigrationsAsync(cancellationToken))
            .Concat(await operators.Database.GetPendingMigrationsAsync(cancellationToken))
            .ToList();
        return pending.Count == 0
            ? HealthCheckResult.Healthy("every migration is applied")
            : HealthCheckResult.Unhealthy($"{pending.Count} migrations are not applied yet: {string.Join(", ", pending)}");
    }
}
