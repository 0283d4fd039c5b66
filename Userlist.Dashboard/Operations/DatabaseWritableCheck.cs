using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Operations;

/// <summary>Ready only while the database takes a write within the wait ingest allows: otherwise ingest answers 503 too.</summary>
internal sealed class DatabaseWritableCheck(StorageHealth storage, IOptions<StorageOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = options.Value.WriteTimeoutSeconds;
        return await storage.TakesWriteAsync(cancellationToken)
            ? HealthCheckResult.Healthy("the database takes writes")
            : HealthCheckResult.Unhealthy($"the database took no write within {timeout} s (Storage:WriteTimeoutSeconds): locked by another process, read-only or full");
    }
}
