namespace Userlist.Core.Mapping;

public enum MappingOutcome
{
    /// <summary>Send <see cref="MappedCall.Request"/> to the Push API.</summary>
    Send,

    /// <summary>Userlist can't take it as it is (anonymous user, missing field, too large): a permanent refusal.</summary>
    Rejected,

    /// <summary>Nothing to send, by design: a call type Userlist does not take, or turned off in integrations.</summary>
    Skipped,
}

/// <summary>One Push API request: method, path under the Push API URL, and the exact JSON body.</summary>
public sealed record PushRequest(string Method, string Path, string Body);

/// <summary>What a stored Segment call becomes: a request to send, or the reason there is none.</summary>
public sealed record MappedCall(MappingOutcome Outcome, PushRequest? Request, string? Reason)
{
    public static MappedCall Send(PushRequest request) => new(MappingOutcome.Send, request, null);

    public static MappedCall Rejected(string reason) => new(MappingOutcome.Rejected, null, reason);

    public static MappedCall Skipped(string reason) => new(MappingOutcome.Skipped, null, reason);
}
