using System.Text.Json.Serialization;
using Userlist.Core.Segment;

namespace Userlist.Dashboard.Ingest;

/// <summary>
/// Segment's error answer, <c>{"success":false,"code":...,"message":...,"error":...}</c>, for every
/// refusal on the ingest paths. <c>error</c> repeats the message because analytics-ruby reads it,
/// and analytics-python needs <c>code</c> and <c>message</c> to stop retrying a 400.
/// </summary>
public sealed record SegmentError(string Code, string Message)
{
    [JsonPropertyOrder(-1)]
    public bool Success => false;

    public string Error => Message;

    public static SegmentError From(CallProblem problem) => new(problem.Code, problem.Message);
}
