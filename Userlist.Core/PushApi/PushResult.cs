namespace Userlist.Core.PushApi;

public enum PushOutcome
{
    /// <summary>Userlist answered 2xx.</summary>
    Delivered,

    /// <summary>A 4xx other than 401 and 429: the request itself is at fault; retrying won't help.</summary>
    Rejected,

    /// <summary>429, 5xx, a timeout or a connection error: worth retrying later.</summary>
    Transient,

    /// <summary>401: the Push API key is wrong for every call.</summary>
    Unauthorized,
}

/// <summary>What one Push API request came to, classified for the delivery policy.</summary>
/// <param name="RetryAfter">Userlist's Retry-After, when it sent one.</param>
/// <param name="Reason">For people: Userlist's errors for a rejection, or what went wrong.</param>
public sealed record PushResult(
    PushOutcome Outcome,
    int? StatusCode,
    string? ResponseBody,
    TimeSpan? RetryAfter,
    string? Reason,
    TimeSpan Duration)
{
    public bool IsRateLimited => StatusCode == 429;
}
