namespace Userlist.Core.Segment;

/// <summary>
/// One Segment call as it will be stored: the normalised JSON and the columns the event log filters on.
/// A call with an <see cref="Invalid"/> reason is kept for the operator but never forwarded.
/// </summary>
public sealed record IncomingCall(
    string MessageId,
    string? Type,
    string? UserId,
    string? AnonymousId,
    string? GroupId,
    string? Event,
    DateTime? TimestampUtc,
    byte[] Utf8Json,
    CallProblem? Invalid)
{
    /// <summary>The stored JSON as text; the hot path keeps it as UTF-8 bytes, as SQLite stores it.</summary>
    public string Json => System.Text.Encoding.UTF8.GetString(Utf8Json);
}

/// <summary>Why a request or a call was refused: a Segment-style code and a sentence for people.</summary>
public sealed record CallProblem(string Code, string Message);
