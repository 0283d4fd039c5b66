using Userlist.Core.Segment;

namespace Userlist.Core.Ingest;

public enum IngestRoute
{
    /// <summary>/v1/identify, /v1/t, ...: one call, its type named by the path.</summary>
    Single,

    /// <summary>/v1/batch, /v1/import, /v1/b: an envelope with a "batch" array.</summary>
    Batch,

    /// <summary>/segment/webhook: one call or a JSON array of calls from Segment's Webhooks destination.</summary>
    Webhook,
}

/// <summary>An ingest request as HTTP gave it, before anything is read.</summary>
public sealed record IngestRequest(
    IngestRoute Route,
    string? PathType,
    string? Authorization,
    string? Signature,
    bool Gzip,
    Stream Body);

public enum IngestStatus
{
    Accepted,
    BadRequest,
    Unauthorized,
    Unavailable,
}

/// <summary>A call of a batch that was stored as Invalid instead of forwarded.</summary>
public sealed record RejectedCall(int Index, string MessageId, string Code, string Message);

public sealed record IngestOutcome(IngestStatus Status, CallProblem? Problem, IReadOnlyList<RejectedCall> Rejected)
{
    public static IngestOutcome Accepted(IReadOnlyList<RejectedCall> rejected) => new(IngestStatus.Accepted, null, rejected);

    public static IngestOutcome BadRequest(CallProblem problem) => new(IngestStatus.BadRequest, problem, []);

    public static IngestOutcome Unauthorized(CallProblem problem) => new(IngestStatus.Unauthorized, problem, []);

    public static readonly IngestOutcome Unavailable = new(IngestStatus.Unavailable, IngestProblems.Unavailable, []);
}
