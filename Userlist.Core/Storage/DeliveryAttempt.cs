namespace Userlist.Core.Storage;

/// <summary>One request to the Push API for a call, and what came of it.</summary>
public sealed class DeliveryAttempt
{
    public long Id { get; set; }

    /// <summary>The stored call (<see cref="Message.Id"/>).</summary>
    public long MessageRowId { get; set; }

    public DateTime StartedAt { get; set; }

    public required string Method { get; set; }

    public required string Path { get; set; }

    public required string RequestBody { get; set; }

    /// <summary>Userlist's HTTP status; null when no answer came (timeout, connection error).</summary>
    public int? StatusCode { get; set; }

    public string? ResponseBody { get; set; }

    public int DurationMs { get; set; }

    public string? Error { get; set; }

    public required string Outcome { get; set; }

    /// <summary>
    /// Set when the request carried several calls merged (coalescing): every call in it has an
    /// attempt with the same id, request and answer, so each call's page can list the others.
    /// Null for a request of one call.
    /// </summary>
    public string? RequestId { get; set; }
}
