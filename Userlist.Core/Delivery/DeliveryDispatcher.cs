using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Ingest;
using Userlist.Core.Mapping;
using Userlist.Core.PushApi;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Delivery;

/// <summary>
/// One delivery pass: claim the calls that are due (at most one in-flight chain per user, in the
/// order received, and a company's group calls in the order received across users), map them, send
/// them at the paced rate, and record every attempt and outcome.
/// Claims are conditional updates with a lease token, so two passes at once (a job Hangfire ran
/// twice) never send the same call twice.
/// </summary>
public sealed partial class DeliveryDispatcher(
    IDbContextFactory<RelayDbContext> databases,
    ICallClaims claims,
    IDispatcherRole role,
    PushApiClient pushApi,
    DeliveryRecorder recorder,
    DeliveredStateView delivered,
    IdentityStitching stitching,
    SendPacer pacer,
    DeliverySettings settings,
    RetryPolicy retryPolicy,
    RelayMetrics metrics,
    IOptionsMonitor<DeliveryOptions> options,
    IOptionsMonitor<UserlistOptions> userlist,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger)
{
    /// <summary>
    /// Calls claimed per pass at most. A pass claims about two seconds of sending at the rate
    /// limit: long enough that the pause between passes costs little of the limit, short enough
    /// that leases stay brief and new calls join soon.
    /// </summary>
    private const int MaxClaimSize = 2_000;

    /// <summary>Without Retry-After, a 429 pauses sending this long.</summary>
    private static readonly TimeSpan DefaultRateLimitPause = TimeSpan.FromSeconds(30);

    private DeliveryBlock lastBlock = DeliveryBlock.None;

    /// <summary>What held delivery at the last pass, for the dashboard.</summary>
    public DeliveryBlock Block => lastBlock;

    /// <summary>Raised when <see cref="Block"/> changes, so pages can update their banner.</summary>
    public event Action<DeliveryBlock>? BlockChanged;

    /// <summary>Re-reads what holds delivery (after a pause, resume or new key), so banners change at once.</summary>
    public async Task RefreshBlockAsync(CancellationToken cancellationToken) =>
        ReportBlock((await settings.SendingKeyAsync(cancellationToken)).Block);

    /// <summary>
    /// Runs one pass. Returns how many calls it claimed: 0 when nothing is due or delivery is held.
    /// <paramref name="stopping"/> is a planned stop: from then on no call is claimed and no request
    /// starts, but requests already on their way finish (each bounded by <c>Userlist:TimeoutSeconds</c>)
    /// and are recorded, and the calls this pass claimed but did not send are returned as they were.
    /// Cutting a request off instead would leave Userlist's answer unrecorded, and the call sent twice.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken stopping)
    {
        if (!role.IsDispatcher)
        {
            return 0;
        }

        var (pushKey, block) = await settings.SendingKeyAsync(stopping);
        ReportBlock(block);
        if (pushKey is null || pacer.PausedUntil > time.GetUtcNow())
        {
            return 0;
        }

        await ReleaseLapsedLeasesAsync(stopping);
        if (stopping.IsCancellationRequested)
        {
            return 0;
        }

        // Once rows are claimed, the pass sees them through: a claim cut off here would leave them Delivering.
        var run = new Run(Guid.NewGuid().ToString("N"), pushKey, role, stopping);
        var claimed = await ClaimAsync(run.Token, CancellationToken.None);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var going = claimed;
        try
        {
            going = await DeliverableAsync(claimed);
            await delivered.BeginPassAsync(going, CancellationToken.None);
            run.Links = await stitching.LinksOfAsync(going, CancellationToken.None);

            // An anonymous call linked to a user goes in that user's chain, in the order received.
            var chains = going.GroupBy(m => m.UserId ?? run.LinkOf(m)?.UserId ?? $"#{m.Id}").Select(g => g.OrderBy(m => m.Id).ToList()).ToList();
            using var companies = new CompanyOrder(chains, options.CurrentValue.Concurrency);
            await companies.RunAsync(chains, chain => DeliverChainSafelyAsync(chain, run, companies));
        }
        finally
        {
            delivered.EndPass();

            // Whatever the pass did not get to (a stop, a halt, a failure) is due again now, not after the lease.
            var returned = await ReleaseRunAsync(run.Token);
            if (stopping.IsCancellationRequested && returned > 0)
            {
                LogReturnedAtStop(returned);
            }
        }

        return going.Count;
    }

    /// <summary>When the next Retrying call falls due, or a 429 pause ends; null when nothing waits.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var next = await db.Messages.Where(m => m.Status == MessageStatus.Retrying).MinAsync(m => m.NextAttemptAt, cancellationToken);
        DateTimeOffset? due = next is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
        var paused = pacer.PausedUntil;
        return paused > time.GetUtcNow() && due is not null ? (paused > due ? paused : due) : due;
    }

    private async Task DeliverChainSafelyAsync(List<Message> chain, Run run, CompanyOrder companies)
    {
        try
        {
            await DeliverChainAsync(chain, run, companies);
        }
        catch (Exception exception)
        {
            // One user's trouble (a database hiccup) must not stop the others; the pass returns their calls.
            LogChainFailed(exception, chain[0].Id);
        }
    }

    /// <summary>
    /// A user's calls go one after another; when one can't be delivered now, the rest wait with it.
    /// With <c>Delivery:Coalesce</c>, runs of them go as one merged request (see <see cref="Coalescing"/>).
    /// Calls left unsent here stay claimed until the pass returns them all at once. Group calls wait
    /// for the earlier ones of other users for their company (see <see cref="CompanyOrder"/>).
    /// </summary>
    private async Task DeliverChainAsync(List<Message> chain, Run run, CompanyOrder companies)
    {
        var mapped = chain.Select(call => (call, Map(call, run))).ToList();
        var steps = options.CurrentValue.Coalesce
            ? Coalescing.Plan(mapped, call => call.RetriedManually, call => call.Id, companies.Barriers)
            : mapped.Select(one => new CoalescedStep<Message>([one.call], one.Item2)).ToList();
        foreach (var step in steps)
        {
            if (run.Halted || !await companies.TurnAsync(step.Calls[0]) || !await DeliverStepAsync(step, run))
            {
                return;
            }

            companies.Finished(step.Calls);
        }
    }

    /// <summary>
    /// Delivers one step; an identify or group step that would set nothing different from what was
    /// last delivered for its user or company, within <c>Delivery:SkipUnchangedHours</c>, is Skipped
    /// instead (design §10). Compare, send and record take the user's or company's turn, so group
    /// calls of several users for one company can't overtake each other between them.
    /// </summary>
    private async Task<bool> DeliverStepAsync(CoalescedStep<Message> step, Run run)
    {
        if (step.Mapped.Request is not { } request || DeliveredState.KeyOf(request) is not { } key)
        {
            return await SendStepAsync(step, run);
        }

        using var turn = await delivered.TurnAsync(key);
        if (run.Halted)
        {
            return false;
        }

        if (UnchangedSince(step, request, delivered.Get(key)) is not { } reason)
        {
            return await SendStepAsync(step, run);
        }

        metrics.CallsSkippedUnchanged(step.Calls.Count);
        LogSkippedUnchanged(step.Calls.Count, step.Calls[0].Id, reason);
        await Task.WhenAll(step.Calls.Select(call => FinishAsync(call, run.Token, null, MessageStatus.Skipped, reason, null,
            identity: NoteFor(call, run, reachedUserlist: true))));
        return true;
    }

    /// <summary>
    /// The reason to skip the step, or null when it must go: it changes something, the window has
    /// passed, or an operator asked for it (a retry, or a call sent from the Sandbox to see what Userlist does).
    /// </summary>
    private string? UnchangedSince(CoalescedStep<Message> step, PushRequest request, DeliveredState? last)
    {
        var window = TimeSpan.FromHours(options.CurrentValue.SkipUnchangedHours);
        var skips = last is not null && window > TimeSpan.Zero && !step.Calls.Any(call => call.RetriedManually || call.SourceId == WriteKeySource.Sandbox.Id)
            && last.IsWithin(window, time.GetUtcNow().UtcDateTime) && !last.Changes(request.Body);
        return skips ? last!.SkipReason : null;
    }

    private Task<bool> SendStepAsync(CoalescedStep<Message> step, Run run) => step.IsMerged
        ? DeliverMergedAsync(step.Calls, step.Mapped.Request!, run)
        : DeliverAsync(step.Calls[0], step.Mapped, run);

    /// <summary>Delivers one claimed call; false when it is not finished and later calls of its user must wait.</summary>
    private async Task<bool> DeliverAsync(Message call, MappedCall mapped, Run run)
    {
        if (stitching.Waits(call, mapped))
        {
            await FinishAsync(call, run.Token, null, MessageStatus.Waiting, stitching.WaitingReason(call), null,
                identity: new IdentityNote.WaitsFor(call.AnonymousId!));
            return true;
        }

        if (mapped.Outcome != MappingOutcome.Send)
        {
            var status = mapped.Outcome == MappingOutcome.Skipped ? MessageStatus.Skipped : MessageStatus.Rejected;
            await FinishAsync(call, run.Token, null, status, mapped.Reason, null, identity: NoteFor(call, run, reachedUserlist: false));
            return true;
        }

        if (await SendAsync(mapped.Request!, run) is not var (result, started))
        {
            return false;
        }

        return await RecordAsync([call], mapped.Request!, run, result, c => Attempt(c, mapped.Request!, result, started, null));
    }

    /// <summary>
    /// Delivers calls of one user merged into one request: one turn of the rate limit, one answer
    /// that every call records as its attempt under a shared request id. If Userlist refuses the
    /// merged request (4xx), the calls are sent again one by one, so that each gets its own answer.
    /// </summary>
    private async Task<bool> DeliverMergedAsync(IReadOnlyList<Message> calls, PushRequest request, Run run)
    {
        if (await SendAsync(request, run) is not var (result, started))
        {
            return false;
        }

        metrics.CallsCoalesced(calls.Count);
        var requestId = Guid.NewGuid().ToString("N");
        if (result.Outcome != PushOutcome.Rejected)
        {
            return await RecordAsync(calls, request, run, result, c => Attempt(c, request, result, started, requestId));
        }

        // Kept as an attempt of each call, which stays claimed: its own request decides its status.
        LogMergedRejected(calls.Count, calls[0].Id, result.StatusCode, result.Reason);
        await Task.WhenAll(calls.Select(call => FinishAsync(call, run.Token, Attempt(call, request, result, started, requestId), MessageStatus.Delivering, null, null)));
        foreach (var call in calls)
        {
            if (run.Halted || !await DeliverAsync(call, Map(call, run), run))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sends a request in its turn at the paced rate; null when the run stopped before it could go.</summary>
    private async Task<(PushResult Result, DateTimeOffset Started)?> SendAsync(PushRequest request, Run run)
    {
        try
        {
            await pacer.WaitTurnAsync(run.Stopping);
        }
        catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested)
        {
            return null;
        }

        if (run.Halted)
        {
            return null;
        }

        // Not cancelled by a stop: the request runs to its answer or its timeout, and the answer is recorded.
        var started = time.GetUtcNow();
        return (await pushApi.SendAsync(settings.PushApiUrl, run.PushKey, request, CancellationToken.None), started);
    }

    private static DeliveryAttempt Attempt(Message call, PushRequest request, PushResult result, DateTimeOffset started, string? requestId) => new()
    {
        MessageRowId = call.Id,
        StartedAt = started.UtcDateTime,
        Method = request.Method,
        Path = request.Path,
        RequestBody = request.Body,
        StatusCode = result.StatusCode,
        ResponseBody = result.ResponseBody,
        DurationMs = (int)result.Duration.TotalMilliseconds,
        Error = result.StatusCode is null ? result.Reason : null,
        Outcome = result.Outcome.ToString(),
        RequestId = requestId,
    };

    /// <summary>
    /// Records what one request's answer means for the calls it carried (the first decides; with
    /// several, the others follow it). Returns false when the user's later calls must wait.
    /// </summary>
    private async Task<bool> RecordAsync(IReadOnlyList<Message> calls, PushRequest request, Run run, PushResult result, Func<Message, DeliveryAttempt> attempt)
    {
        var call = calls[0];
        Verdict verdict;
        switch (result.Outcome)
        {
            case PushOutcome.Delivered:
                verdict = new(MessageStatus.Delivered, null, null, CountsAsAttempt: true, Finished: true);
                LogDelivered(call.Id, call.Type, calls.Count, (int)result.Duration.TotalMilliseconds);
                break;

            case PushOutcome.Rejected:
                verdict = new(MessageStatus.Rejected, result.Reason, null, CountsAsAttempt: true, Finished: true);
                LogRejected(call.Id, result.StatusCode, result.Reason);
                break;

            case PushOutcome.Unauthorized:
                // The key is wrong for every call: hold everything, burn nothing.
                if (run.Halt())
                {
                    await settings.MarkRefusedAsync(run.PushKey, CancellationToken.None);
                    ReportBlock(DeliveryBlock.KeyRefused);
                }

                verdict = new(MessageStatus.Pending, null, null, CountsAsAttempt: false, Finished: false);
                break;

            case PushOutcome.Transient when result.IsRateLimited:
                // Everyone waits: the run stops, and its unsent calls go back to wait for the pause.
                var resume = time.GetUtcNow() + (result.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : DefaultRateLimitPause);
                pacer.PauseUntil(resume);
                run.Halt();
                verdict = new(MessageStatus.Retrying, result.Reason, resume.UtcDateTime, CountsAsAttempt: false, Finished: false);
                LogRateLimited(resume);
                break;

            default:
                var attempts = call.AttemptCount + 1;
                if (retryPolicy.NextDelay(attempts, Random.Shared.NextDouble()) is not { } delay)
                {
                    verdict = new(MessageStatus.Failed, $"Gave up after {attempts} attempts: {result.Reason}", null, CountsAsAttempt: true, Finished: false);
                    LogFailed(call.Id, attempts, result.Reason);
                    break;
                }

                if (result.RetryAfter is { } asked && asked > delay)
                {
                    delay = asked;
                }

                var due = time.GetUtcNow() + delay;
                verdict = new(MessageStatus.Retrying, result.Reason, due.UtcDateTime, CountsAsAttempt: true, Finished: false);
                LogRetrying(call.Id, attempts, result.Reason, due);
                break;
        }

        // A merged request to retry is retried by its first call; the others wait behind it as Pending
        // (per-user order holds them) and go together again once it is through.
        var follower = verdict.Status == MessageStatus.Retrying ? new Verdict(MessageStatus.Pending, null, null, false, false) : verdict;
        var state = StateAfter(request, result, calls[^1]);
        await Task.WhenAll(calls.Select((c, i) => (Call: c, Verdict: i == 0 ? verdict : follower)).Select(one =>
            FinishAsync(one.Call, run.Token, attempt(one.Call), one.Verdict.Status, one.Verdict.Reason, one.Verdict.NextAttemptAt, one.Verdict.CountsAsAttempt,
                one.Call == calls[^1] ? state : null, NoteFor(one.Call, run, reachedUserlist: one.Verdict.Status == MessageStatus.Delivered))));
        if (state is { Key: var key, State: { } now })
        {
            delivered.Remember(key, now);
        }
        else if (state is not null)
        {
            delivered.Forget(state.Key, state.EveryCompany);
        }

        return verdict.Finished;
    }

    /// <summary>
    /// What an answer leaves known of Userlist's user or company, recorded with the outcome of the
    /// request's last call (in the key's turn): a delivered upsert adds to it; a delivered delete, or
    /// a request that may have reached Userlist unanswered (timeout, 5xx), leaves it unknown. Null
    /// when nothing changes: other requests, and refusals (4xx, 401, 429), which Userlist did not apply.
    /// </summary>
    private StateChange? StateAfter(PushRequest request, PushResult result, Message lastCall)
    {
        if (DeliveredState.ForgottenBy(request) is { } deleted)
        {
            return result.Outcome == PushOutcome.Delivered ? new StateChange(deleted, null, null, EveryCompany: true) : null;
        }

        if (DeliveredState.KeyOf(request) is not { } key)
        {
            return null;
        }

        if (result.Outcome == PushOutcome.Transient && !result.IsRateLimited)
        {
            return new StateChange(key, null, null);
        }

        if (result.Outcome != PushOutcome.Delivered)
        {
            return null;
        }

        var previous = delivered.Get(key);
        return new StateChange(key, DeliveredState.After(previous, request, lastCall.Id, time.GetUtcNow().UtcDateTime), previous?.MessageRowId);
    }

    /// <summary>What an answer means for a call: its next status, and whether the user's later calls may go on.</summary>
    private sealed record Verdict(MessageStatus Status, string? Reason, DateTime? NextAttemptAt, bool CountsAsAttempt, bool Finished);

    private Task FinishAsync(Message call, string token, DeliveryAttempt? attempt, MessageStatus status, string? reason,
        DateTime? nextAttemptAt, bool countAttempt = false, StateChange? state = null, IdentityNote? identity = null) =>
        recorder.RecordAsync(new DeliveryOutcome(call.Id, token, attempt, status, reason, nextAttemptAt, countAttempt, time.GetUtcNow().UtcDateTime, state, identity));

    /// <summary>The call's request: an anonymous call linked to a user (identity stitching) goes as that user.</summary>
    private static MappedCall Map(Message call, Run run) => SegmentToUserlist.Map(call.Payload, run.LinkOf(call)?.UserId);

    /// <summary>What the call's outcome records for identity stitching: whom a linked call went as, or the link the call makes.</summary>
    private static IdentityNote? NoteFor(Message call, Run run, bool reachedUserlist) => run.LinkOf(call) is { } link
        ? new IdentityNote.SentAs(link.UserId, link.LinkedByMessageRowId)
        : IdentityStitching.LinkMadeBy(call, reachedUserlist);

    /// <summary>Claims due calls in the order received, skipping users whose earlier call is in flight or waiting to retry.</summary>
    private Task<List<Message>> ClaimAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return claims.ClaimAsync(token, now, now.AddSeconds(options.CurrentValue.LeaseSeconds), ClaimSize(), cancellationToken);
    }

    /// <summary>The claimed calls that may go now: see <see cref="CompanyOrder.Deliverable"/>; the others are returned with the pass.</summary>
    private async Task<List<Message>> DeliverableAsync(List<Message> claimed)
    {
        var last = claimed[^1].Id;
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        var waiting = await db.Messages.AsNoTracking().Where(m => m.Status == MessageStatus.Pending && m.Id < last)
            .Select(m => new { m.Id, m.UserId, m.Type, m.GroupId }).ToListAsync(CancellationToken.None);
        return CompanyOrder.Deliverable(claimed, waiting.Select(m => (m.Id, m.UserId, m.Type, m.GroupId)));
    }

    private int ClaimSize() =>
        Math.Clamp(userlist.CurrentValue.RequestsPerMinute / 30, options.CurrentValue.Concurrency, MaxClaimSize);

    /// <summary>Returns the pass's claimed calls that it did not finish, as they were: due again at once.</summary>
    private async Task<int> ReleaseRunAsync(string token)
    {
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        return await db.Messages.Where(m => m.LeaseToken == token).ReturnToQueueAsync(CancellationToken.None);
    }

    /// <summary>A run that died (process killed) leaves calls Delivering: past their lease they are due again.</summary>
    private async Task ReleaseLapsedLeasesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var released = await db.Messages.Where(m => m.LeaseExpiresAt < now).ReturnToQueueAsync(cancellationToken);
        if (released > 0)
        {
            LogLeasesReleased(released);
        }
    }

    private void ReportBlock(DeliveryBlock block)
    {
        if (block == lastBlock)
        {
            return;
        }

        lastBlock = block;
        BlockChanged?.Invoke(block);
        switch (block)
        {
            case DeliveryBlock.NoPushKey:
                LogNoKey();
                break;
            case DeliveryBlock.KeyRefused:
                LogKeyRefused();
                break;
            case DeliveryBlock.Paused:
                LogPaused();
                break;
            default:
                LogResumed();
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Push API key is set (Userlist:PushKey or the dashboard's settings): calls are stored and wait as Pending, nothing is sent")]
    private partial void LogNoKey();

    [LoggerMessage(Level = LogLevel.Error, Message = "Userlist refused the Push API key (401): delivery is paused until the key changes; calls stay Pending")]
    private partial void LogKeyRefused();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery is paused from the dashboard: calls are stored and wait as Pending until it is resumed")]
    private partial void LogPaused();

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery to Userlist is running")]
    private partial void LogResumed();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered {MessageRowId} ({Type}, {Calls} calls in the request) in {Elapsed} ms")]
    private partial void LogDelivered(long messageRowId, string? type, int calls, int elapsed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped {Calls} calls (first {MessageRowId}): {Reason}")]
    private partial void LogSkippedUnchanged(int calls, long messageRowId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Userlist refused a request of {Calls} merged calls (first {MessageRowId}, {Status}: {Reason}); sending them one by one")]
    private partial void LogMergedRejected(int calls, long messageRowId, int? status, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Userlist rejected {MessageRowId} ({Status}): {Reason}")]
    private partial void LogRejected(long messageRowId, int? status, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Userlist's rate limit was reached: sending pauses until {Resume}")]
    private partial void LogRateLimited(DateTimeOffset resume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} for {MessageRowId} failed ({Reason}); next try at {Due}")]
    private partial void LogRetrying(long messageRowId, int attempt, string? reason, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up on {MessageRowId} after {Attempts} attempts: {Reason}")]
    private partial void LogFailed(long messageRowId, int attempts, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: {Count} claimed calls not yet sent are due again for the next start")]
    private partial void LogReturnedAtStop(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering the calls of a user (first {MessageRowId}) failed; they are due again")]
    private partial void LogChainFailed(Exception exception, long messageRowId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} calls were left Delivering by an interrupted run; they are due again")]
    private partial void LogLeasesReleased(int count);

    /// <summary>
    /// One pass's claim token and key; halted when Userlist refuses the key, rate-limits, the relay
    /// stops, or another instance has taken the dispatcher role (it owns the claims now).
    /// </summary>
    private sealed class Run(string token, string pushKey, IDispatcherRole role, CancellationToken stopping)
    {
        private volatile bool halted;

        public string Token { get; } = token;

        public string PushKey { get; } = pushKey;

        public CancellationToken Stopping { get; } = stopping;

        /// <summary>The claimed anonymous calls' links to users Userlist knows, by anonymous id.</summary>
        public IReadOnlyDictionary<string, IdentityLink> Links { get; set; } = new Dictionary<string, IdentityLink>();

        public IdentityLink? LinkOf(Message call) => IdentityStitching.IsAnonymous(call) ? Links.GetValueOrDefault(call.AnonymousId!) : null;

        public bool Halted => halted || Stopping.IsCancellationRequested || !role.IsDispatcher;

        private int haltCount;

        /// <summary>Stops the run; true for the first caller only.</summary>
        public bool Halt()
        {
            halted = true;
            return Interlocked.Increment(ref haltCount) == 1;
        }
    }
}
