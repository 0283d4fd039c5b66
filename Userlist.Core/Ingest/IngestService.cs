using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Segment;
using Userlist.Core.Storage;
using Userlist.Core.Telemetry;

namespace Userlist.Core.Ingest;

/// <summary>
/// Segment-compatible ingest: authenticate, read, check limits, normalise, store, answer. The
/// answer is Accepted only once every call of the request is committed.
/// </summary>
public sealed partial class IngestService(
    WriteKeyDirectory writeKeys,
    MessageWriter writer,
    IOptionsMonitor<IngestOptions> options,
    TimeProvider time,
    RelayMetrics metrics,
    IngestRefusals refusals,
    ILogger<IngestService> logger)
{
    public const int MaxRequestBytes = 512_000;
    public const int MaxCallBytes = 32_768;
    public const int MaxBatchCalls = 2_500;

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>The <c>outcome</c> label of the ingest latency, by <see cref="IngestStatus"/>.</summary>
    private static readonly string[] AnswerTags = ["accepted", "bad_request", "unauthorized", "unavailable"];

    public async Task<IngestOutcome> IngestAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var webhookSecret = request.Route == IngestRoute.Webhook ? options.CurrentValue.WebhookSecret : null;
        var signed = !string.IsNullOrEmpty(webhookSecret);

        // A key in the Authorization header decides alone; the body is not read for an unknown one.
        WriteKeySource? source = null;
        var headerKey = signed ? null : BasicAuthorization.UserName(request.Authorization);
        if (headerKey is not null && (source = await writeKeys.FindAsync(headerKey, cancellationToken)) is null)
        {
            refusals.Refused(IngestRefusals.WriteKeyReason, headerKey);
            return Answered(IngestOutcome.Unauthorized(IngestProblems.InvalidWriteKey), started);
        }

        var (body, readProblem) = await RequestBody.ReadAsync(request.Body, request.Gzip, MaxRequestBytes, cancellationToken);
        if (readProblem is not null)
        {
            return Answered(IngestOutcome.BadRequest(readProblem), started);
        }

        // The parser checks UTF-8 only in the strings it is asked to read: a broken byte inside a
        // value would surface later, mid-normalisation, as a 500 (found by the hostile-input corpus).
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return Answered(IngestOutcome.BadRequest(IngestProblems.InvalidUtf8), started);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(WithoutByteOrderMark(body!), JsonOptions);
        }
        catch (JsonException)
        {
            return Answered(IngestOutcome.BadRequest(IngestProblems.InvalidJson), started);
        }

        using (document)
        {
            var root = document.RootElement;
            if (signed)
            {
                if (!WebhookSignature.IsValid(webhookSecret!, SignedBytes(root, body!), request.Signature))
                {
                    refusals.Refused(IngestRefusals.SignatureReason, null);
                    return Answered(IngestOutcome.Unauthorized(IngestProblems.InvalidSignature), started);
                }

                source = WriteKeySource.Webhook;
            }

            var bodyKey = source is null ? BodyWriteKey(root) : null;
            source ??= bodyKey is not null ? await writeKeys.FindAsync(bodyKey, cancellationToken) : null;
            if (source is null)
            {
                refusals.Refused(IngestRefusals.WriteKeyReason, bodyKey);
                return Answered(IngestOutcome.Unauthorized(IngestProblems.InvalidWriteKey), started);
            }

            var (items, defaults, envelopeProblem) = Envelope(request.Route, root);
            if (envelopeProblem is not null)
            {
                return Answered(IngestOutcome.BadRequest(envelopeProblem), started);
            }

            var singleCall = request.Route == IngestRoute.Single || root.ValueKind == JsonValueKind.Object && request.Route == IngestRoute.Webhook;
            return await StoreAsync(request, source, items, defaults, singleCall, started);
        }
    }

    private async Task<IngestOutcome> StoreAsync(IngestRequest request, WriteKeySource source, List<JsonElement> items, CallDefaults defaults, bool singleCall, long started)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (JsonMarshal.GetRawUtf8Value(items[i]).Length > MaxCallBytes)
            {
                return Answered(IngestOutcome.BadRequest(IngestProblems.CallTooLarge(i, MaxCallBytes)), started);
            }
        }

        var receivedAt = time.GetUtcNow();
        var allowed = request.Route == IngestRoute.Webhook ? SegmentCallTypes.Webhook : SegmentCallTypes.Tracking;
        var normalizer = new SegmentCallNormalizer(allowed, NewMessageId);
        var calls = items.Select(item => normalizer.Normalize(item, defaults, request.PathType, receivedAt)).ToList();

        try
        {
            await writer.WriteAsync(source.Id, receivedAt.UtcDateTime, calls);
        }
        catch (StorageUnavailableException)
        {
            // Not stored: the client is answered 503 and will send them again.
            var unavailable = new CallTally();
            calls.ForEach(call => unavailable.Add(call.Type, CallOutcome.Unavailable));
            unavailable.Flush(metrics);
            refusals.Refused(IngestRefusals.UnavailableReason, BasicAuthorization.UserName(request.Authorization));
            return Answered(IngestOutcome.Unavailable, started);
        }

        var rejected = calls
            .Select((call, index) => call.Invalid is { } problem ? new RejectedCall(index, call.MessageId, problem.Code, problem.Message) : null)
            .OfType<RejectedCall>()
            .ToList();
        if (rejected.Count > 0)
        {
            LogRejected(rejected.Count, calls.Count, source.Id, rejected[0].Code);
        }

        // A lone call that fails validation is refused outright (it is stored as Invalid all the
        // same); a batch keeps its good calls and lists the bad ones.
        return Answered(singleCall && rejected.Count == 1
            ? IngestOutcome.BadRequest(new CallProblem(rejected[0].Code, rejected[0].Message))
            : IngestOutcome.Accepted(rejected), started);
    }

    /// <summary>Records how long the request took to answer, and with what.</summary>
    private IngestOutcome Answered(IngestOutcome outcome, long started)
    {
        metrics.IngestAnswered(AnswerTags[(int)outcome.Status], time.GetElapsedTime(started));
        return outcome;
    }

    private static (List<JsonElement> Items, CallDefaults Defaults, CallProblem? Problem) Envelope(IngestRoute route, JsonElement root)
    {
        switch (route)
        {
            case IngestRoute.Single:
                return root.ValueKind == JsonValueKind.Object
                    ? ([root], CallDefaults.None, null)
                    : ([], CallDefaults.None, IngestProblems.NotAnObject);

            case IngestRoute.Webhook when root.ValueKind == JsonValueKind.Array:
                return Items(root, CallDefaults.None);

            case IngestRoute.Webhook:
                return root.ValueKind == JsonValueKind.Object
                    ? ([root], CallDefaults.None, null)
                    : ([], CallDefaults.None, IngestProblems.NotAnObject);

            default:
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("batch", out var batch)
                    || batch.ValueKind != JsonValueKind.Array)
                {
                    return ([], CallDefaults.None, IngestProblems.NotABatch);
                }

                return Items(batch, CallDefaults.FromEnvelope(root));
        }
    }

    private static (List<JsonElement> Items, CallDefaults Defaults, CallProblem? Problem) Items(JsonElement array, CallDefaults defaults)
    {
        var length = array.GetArrayLength();
        if (length == 0)
        {
            return ([], defaults, IngestProblems.EmptyBatch);
        }

        return length > MaxBatchCalls
            ? ([], defaults, IngestProblems.BatchTooLong(MaxBatchCalls))
            : (array.EnumerateArray().ToList(), defaults, null);
    }

    /// <summary>The body's write key: at the top level, else on the first call of a batch or array.</summary>
    private static string? BodyWriteKey(JsonElement root)
    {
        var first = root.ValueKind switch
        {
            JsonValueKind.Array when root.GetArrayLength() > 0 => root[0],
            JsonValueKind.Object when root.TryGetProperty("batch", out var batch) && batch.ValueKind == JsonValueKind.Array
                && batch.GetArrayLength() > 0 => batch[0],
            _ => default,
        };

        foreach (var holder in new[] { root, first })
        {
            if (holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty("writeKey", out var key)
                && key.ValueKind == JsonValueKind.String && key.GetString() is { Length: > 0 } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>What Segment signs: the whole body, or only the first element of a batched (array) body.</summary>
    private static ReadOnlySpan<byte> SignedBytes(JsonElement root, byte[] body) =>
        root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 ? JsonMarshal.GetRawUtf8Value(root[0]) : body;

    private static ReadOnlyMemory<byte> WithoutByteOrderMark(byte[] body) =>
        body.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? body.AsMemory(3) : body;

    private static string NewMessageId() => $"relay-{Guid.CreateVersion7()}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored {Rejected} of {Total} calls from {SourceId} as Invalid (first: {Code})")]
    private partial void LogRejected(int rejected, int total, string sourceId, string code);
}
