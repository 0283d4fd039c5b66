using Userlist.Core.Segment;

namespace Userlist.Core.Ingest;

/// <summary>The request-level refusals ingest answers with, in Segment's code style.</summary>
public static class IngestProblems
{
    public static CallProblem RequestTooLarge(int limit) =>
        new("payload_too_large", $"The request body exceeds {limit:N0} bytes (after decompression)");

    public static CallProblem CallTooLarge(int index, int limit) =>
        new("payload_too_large", $"Call {index} exceeds {limit:N0} bytes; each call must be at most 32 KB");

    public static readonly CallProblem InvalidJson = new("invalid_json", "Invalid JSON");

    public static readonly CallProblem InvalidUtf8 = new("invalid_json", "Invalid JSON: the body is not valid UTF-8");

    public static readonly CallProblem NotAnObject = new("invalid_call", "The body must be a JSON object (one Segment call)");

    public static readonly CallProblem NotABatch = new("invalid_batch", "The body must be a JSON object with a \"batch\" array");

    public static readonly CallProblem EmptyBatch = new("empty_batch", "The batch is empty");

    public static CallProblem BatchTooLong(int limit) => new("invalid_batch", $"A batch holds at most {limit:N0} calls");

    public static readonly CallProblem InvalidWriteKey = new("invalid_write_key",
        "Missing or unknown write key: send it as the Basic auth user name or as \"writeKey\" in the body");

    public static readonly CallProblem InvalidSignature = new("invalid_signature",
        "X-Signature is missing or does not match the body signed with the webhook's shared secret");

    public static readonly CallProblem Unavailable = new("unavailable", "Storage is unavailable; retry later");
}
