using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;

namespace Userlist.Tests.Delivery;

/// <summary>On SQLite only for now: retention is being reworked, and its tests for both providers come with it.</summary>
public sealed class RetentionTests
{
    [Fact]
    public async Task Retention_DeletesOldDeliveredAndSkippedCallsWithTheirAttempts_KeepsTheRest()
    {
        await using var harness = await DeliveryHarness.StartAsync();
        await harness.SendAsync("/v1/batch", """{"batch":[{"type":"identify","userId":"u","messageId":"old-delivered"},{"type":"page","userId":"u","messageId":"old-skipped"},{"type":"identify","userId":"v","messageId":"new-delivered"}]}""");
        await harness.UntilStatusAsync("old-delivered", MessageStatus.Delivered);
        await harness.UntilStatusAsync("old-skipped", MessageStatus.Skipped);
        await harness.UntilStatusAsync("new-delivered", MessageStatus.Delivered);
        await harness.SendAsync("/v1/track", """{"userId":"w","event":"E","messageId":"old-invalid"}""");
        await using (var db = await harness.Relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            var old = DateTime.UtcNow.AddDays(-31);
            await db.Messages.Where(m => m.MessageId != "new-delivered").ExecuteUpdateAsync(m => m.SetProperty(x => x.ReceivedAt, old));
            await db.Messages.Where(m => m.MessageId == "old-invalid").ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Failed));
        }

        var deleted = await harness.Relay.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(["new-delivered", "old-invalid"], (await harness.Relay.MessagesAsync()).Select(m => m.MessageId).Order());
        Assert.Empty(await harness.AttemptsAsync("old-delivered"));
    }
}
