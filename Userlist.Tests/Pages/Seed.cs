using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;

namespace Userlist.Tests.Pages;

/// <summary>Stored calls and attempts written straight into the relay's database, as delivery would leave them.</summary>
public static class Seed
{
    public static Message Call(string userId, MessageStatus status, string type = "track", string? eventName = "Report Exported",
        string? groupId = null, DateTime? receivedAt = null, string? reason = null, string? payload = null) => new()
    {
        SourceId = "config-test",
        MessageId = $"seed-{Guid.NewGuid():N}",
        Type = type,
        UserId = userId,
        GroupId = groupId,
        Event = type == "track" ? eventName : null,
        ReceivedAt = receivedAt ?? DateTime.UtcNow,
        UpdatedAt = receivedAt ?? DateTime.UtcNow,
        Status = status,
        StatusReason = reason,
        Payload = payload ?? $$"""{"type":"{{type}}","userId":"{{userId}}","event":"{{eventName}}","messageId":"m-{{userId}}"}""",
    };

    public static async Task<List<Message>> CallsAsync(this PageContext context, params Message[] calls)
    {
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        db.Messages.AddRange(calls);
        await db.SaveChangesAsync();
        return [.. calls];
    }

    public static async Task AttemptAsync(this PageContext context, long messageRowId, int? statusCode, string outcome, string? response, string? error = null,
        string? requestId = null, string path = "/events", string requestBody = "{}")
    {
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        db.DeliveryAttempts.Add(new DeliveryAttempt
        {
            MessageRowId = messageRowId,
            StartedAt = DateTime.UtcNow,
            Method = "POST",
            Path = path,
            RequestBody = requestBody,
            StatusCode = statusCode,
            ResponseBody = response,
            Error = error,
            DurationMs = 42,
            Outcome = outcome,
            RequestId = requestId,
        });
        await db.SaveChangesAsync();
    }
}
