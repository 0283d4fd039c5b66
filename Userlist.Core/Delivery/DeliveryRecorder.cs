using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Userlist.Core.Storage;

namespace Userlist.Core.Delivery;

/// <summary>What became of one claimed call: its attempt (if a request was made) and its next status.</summary>
public sealed record DeliveryOutcome(
    long MessageRowId,
    string LeaseToken,
    DeliveryAttempt? Attempt,
    MessageStatus Status,
    string? Reason,
    DateTime? NextAttemptAt,
    bool CountsAsAttempt,
    DateTime AtUtc);

/// <summary>
/// Records delivery outcomes with group commit, as ingest stores calls: every outcome waiting when
/// a commit starts shares its transaction, so delivery is not held to one fsync per call. Each
/// status change applies only while the run still holds its claim (a lapsed lease means another
/// run owns the call now); the attempt is kept either way, since the request was made.
/// </summary>
public sealed class DeliveryRecorder(IDbContextFactory<RelayDbContext> databases) : BackgroundService
{
    private const int MaxOutcomesPerCommit = 1_000;

    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once the outcome is durably committed.</summary>
    public Task RecordAsync(DeliveryOutcome outcome)
    {
        var pending = new Pending(outcome);
        return queue.Writer.TryWrite(pending)
            ? pending.Committed.Task
            : Task.FromException(new InvalidOperationException("The relay is shutting down"));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>();
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            while (group.Count < MaxOutcomesPerCommit && queue.Reader.TryRead(out var pending))
            {
                group.Add(pending);
            }

            try
            {
                await CommitAsync(group);
                group.ForEach(p => p.Committed.TrySetResult());
            }
            catch (Exception exception)
            {
                group.ForEach(p => p.Committed.TrySetException(exception));
            }
        }
    }

    private async Task CommitAsync(List<Pending> group)
    {
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        db.DeliveryAttempts.AddRange(group.Select(p => p.Outcome.Attempt).OfType<DeliveryAttempt>());
        await db.SaveChangesAsync(CancellationToken.None);

        foreach (var outcome in group.Select(p => p.Outcome))
        {
            var increment = outcome.CountsAsAttempt ? 1 : 0;
            await db.Messages
                .Where(m => m.Id == outcome.MessageRowId && m.LeaseToken == outcome.LeaseToken && m.Status == MessageStatus.Delivering)
                .ExecuteUpdateAsync(m => m
                    .SetProperty(x => x.Status, outcome.Status)
                    .SetProperty(x => x.StatusReason, outcome.Reason)
                    .SetProperty(x => x.NextAttemptAt, outcome.NextAttemptAt)
                    .SetProperty(x => x.AttemptCount, x => x.AttemptCount + increment)
                    .SetProperty(x => x.LeaseToken, (string?)null)
                    .SetProperty(x => x.LeaseExpiresAt, (DateTime?)null)
                    .SetProperty(x => x.UpdatedAt, outcome.AtUtc), CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private sealed record Pending(DeliveryOutcome Outcome)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
