using System.Text.Json.Serialization;
using Userlist.Core.Ingest;

namespace Userlist.Dashboard.Ingest;

/// <summary>
/// Ingest's 200 answer, <c>{"success":true}</c>; with <c>rejected</c> when calls of a batch were
/// stored as Invalid instead of forwarded.
/// </summary>
public sealed record IngestAccepted(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RejectedCall>? Rejected)
{
    [JsonPropertyOrder(-1)]
    public bool Success => true;
}
