using Microsoft.Extensions.Diagnostics.HealthChecks;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Operations;

/// <summary>
/// What holds delivery, as the dashboard's banner says it, and, where instances share a database,
/// which one dispatches. Degraded at worst: calls are still taken and stored, and restarting the
/// relay would not bring a key or resume a pause.
/// </summary>
internal sealed class DeliveryStateCheck(DeliveryDispatcher dispatcher, IDispatcherRole role) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Read afresh: before the first delivery pass the dispatcher has nothing to report yet.
        await dispatcher.RefreshBlockAsync(cancellationToken);
        var result = dispatcher.Block switch
        {
            DeliveryBlock.None => HealthCheckResult.Healthy("delivery to Userlist is running"),
            DeliveryBlock.NoPushKey => HealthCheckResult.Degraded("no Push API key is set: calls are stored and wait"),
            DeliveryBlock.KeyRefused => HealthCheckResult.Degraded("Userlist refused the Push API key: calls are stored and wait for another key"),
            DeliveryBlock.Paused => HealthCheckResult.Degraded("delivery is paused from the dashboard: calls are stored and wait"),
            var other => HealthCheckResult.Degraded($"delivery is held: {other}"),
        };
        return role.IsShared ? new HealthCheckResult(result.Status, $"{result.Description}; {Role()}") : result;
    }

    private string Role() =>
        role.IsDispatcher ? "this instance dispatches"
        : role.Dispatcher is { } other ? $"{other} dispatches, this instance takes calls and serves the dashboard"
        : "no instance dispatches right now";
}
