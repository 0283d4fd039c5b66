using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Alerts;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Alerts;

/// <summary>Two instances on one PostgreSQL database: only the dispatcher evaluates, and a handover announces nothing twice.</summary>
public sealed class AlertsOnTwoInstancesTests
{
    [SkippableFact]
    public async Task BothRunTheJob_OnlyTheDispatcherAlerts_AndTheOneTakingOverKeepsTheInterval()
    {
        await using var rig = await AlertRig.StartAsync(StorageKind.Postgres);
        var second = rig.AnotherInstance();
        try
        {
            var secondRole = second.Services.GetRequiredService<IDispatcherRole>();
            Assert.True(rig.Get<IDispatcherRole>().IsDispatcher);
            Assert.False(secondRole.IsDispatcher);
            await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now);

            await second.Services.GetRequiredService<AlertsJob>().RunAsync(CancellationToken.None);
            Assert.Empty(await rig.AlertDeliveriesAsync());
            await rig.RunAlertsAsync();
            await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 1);

            // The dispatcher goes away; the other instance takes the role and carries on from the stored state.
            await rig.Relay.DisposeAsync();
            await Eventually.HoldsAsync(() => Task.FromResult(secondRole.IsDispatcher), "the other instance dispatches", TimeSpan.FromSeconds(30));
            rig.Advance(TimeSpan.FromMinutes(5));
            await rig.AddCallAsync(MessageStatus.Failed, rig.Now.AddHours(-4), rig.Now, through: second);
            var job = second.Services.GetRequiredService<AlertsJob>();
            await job.RunAsync(CancellationToken.None);
            Assert.Single(rig.WebhookTexts(AlertConditions.CallsFailed));

            rig.Advance(TimeSpan.FromMinutes(10));
            await job.RunAsync(CancellationToken.None);
            Assert.StartsWith("[ALERT] Userlist Relay: Calls failed (still)", (await rig.UntilWebhookAsync(AlertConditions.CallsFailed, 2))[1], StringComparison.Ordinal);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
