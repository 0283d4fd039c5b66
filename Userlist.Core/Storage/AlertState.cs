namespace Userlist.Core.Storage;

/// <summary>
/// Where one alert condition stands, kept in the database so that whichever instance evaluates
/// (the dispatcher) knows what was already said: at most one alert per condition per interval,
/// and a resolve message only for an episode that was announced.
/// </summary>
public sealed class AlertState
{
    /// <summary>The condition's name (<c>calls-failed</c>, <c>key-refused</c>...).</summary>
    public required string Condition { get; set; }

    /// <summary>When the condition was first seen in its current episode; null while it is clear.</summary>
    public DateTime? ActiveSince { get; set; }

    /// <summary>When the last alert (raised or still raised) for it was queued.</summary>
    public DateTime? LastAlertAt { get; set; }

    /// <summary>Whether an alert went out for the current episode, so that its end is announced too.</summary>
    public bool Notified { get; set; }

    /// <summary>Raised by every change: an evaluation changes the row only if nobody else did since it read it.</summary>
    public int Version { get; set; }

    /// <summary>What the last evaluation found, as the alert says it (no secrets).</summary>
    public string? Detail { get; set; }
}
