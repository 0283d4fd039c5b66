using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Delivery;
using Userlist.Core.Mapping;
using Userlist.Core.Segment;
using Userlist.Core.Storage;

namespace Userlist.Core.Ingest;

/// <summary>
/// What a pasted call would become: why it is refused, or the normalised call and its mapping;
/// for an anonymous call, what identity stitching would do with it (wait, or go as a linked user).
/// </summary>
public sealed record SandboxPreview(string? Problem, string? NormalizedJson, MappedCall? Mapped, string? Identity = null);

/// <summary>
/// The dashboard's sandbox: a dry run of ingest and mapping as the operator types (nothing stored
/// or sent), and "Send", which stores the call like ingest does, under the sandbox source, so the
/// real dispatcher delivers it.
/// </summary>
public sealed class Sandbox(MessageWriter writer, IDbContextFactory<RelayDbContext> databases, IdentityStitching stitching, TimeProvider time)
{
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>Starting points, one per call type the mapping treats differently.</summary>
    public static readonly IReadOnlyDictionary<string, string> Templates = new Dictionary<string, string>
    {
        ["identify"] = """
            {
              "type": "identify",
              "userId": "user-1",
              "traits": { "email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro", "createdAt": "2026-01-15T09:30:00Z" }
            }
            """,
        ["track"] = """
            {
              "type": "track",
              "userId": "user-1",
              "event": "Report Exported",
              "properties": { "format": "csv", "rows": 120 },
              "context": { "groupId": "company-1" }
            }
            """,
        ["group"] = """
            {
              "type": "group",
              "userId": "user-1",
              "groupId": "company-1",
              "traits": { "name": "Acme Inc.", "plan": "enterprise" },
              "integrations": { "Userlist": { "extensions": { "relationship": { "properties": { "role": "admin" } } } } }
            }
            """,
        ["page"] = """
            {
              "type": "page",
              "userId": "user-1",
              "name": "Pricing",
              "properties": { "url": "https://example.com/pricing", "path": "/pricing" }
            }
            """,
    };

    /// <summary>
    /// Normalises and maps the call exactly as ingest and delivery would, with the identity links
    /// known now; stores and sends nothing.
    /// </summary>
    public async Task<SandboxPreview> DryRunAsync(string json, CancellationToken cancellationToken)
    {
        var (preview, call) = Prepare(json);
        if (call is not { AnonymousId: { } anonymousId } || preview.Mapped is not { } mapped
            || !stitching.Waits(call.Type, call.UserId, anonymousId, mapped))
        {
            return preview;
        }

        var link = await StorageCalls.RunAsync(() => stitching.LinkOfAsync(anonymousId, cancellationToken));
        if (link is { UserKnown: true })
        {
            return preview with
            {
                Mapped = SegmentToUserlist.Map(preview.NormalizedJson!, link.UserId),
                Identity = $"Anonymous id {anonymousId} is linked to user {link.UserId} by call #{link.LinkedByMessageRowId}: it goes to Userlist as {link.UserId}.",
            };
        }

        return preview with
        {
            Identity = link is not null
                ? $"Anonymous id {anonymousId} is linked to user {link.UserId} by call #{link.LinkedByMessageRowId} (an alias): it waits for an identify of {link.UserId} to reach Userlist, then goes as that user."
                : $"It waits up to {IdentityStitching.Hours(stitching.Window)} for an identify or alias naming anonymous id {anonymousId}, then goes to Userlist as that user; without one, it is Rejected.",
        };
    }

    /// <summary>Stores the call as a sandbox call (a fresh messageId each time) and returns its row id; null with the preview's problem when it is not a valid call.</summary>
    public Task<(long? MessageRowId, SandboxPreview Preview)> SendAsync(string json, CancellationToken cancellationToken) => StorageCalls.RunAsync<(long? MessageRowId, SandboxPreview Preview)>(async () =>
    {
        var (preview, call) = Prepare(json, freshMessageId: true);
        if (call is null)
        {
            return (null, preview);
        }

        await writer.WriteAsync(WriteKeySource.Sandbox.Id, time.GetUtcNow().UtcDateTime, [call]);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var id = await db.Messages.Where(m => m.SourceId == WriteKeySource.Sandbox.Id && m.MessageId == call.MessageId)
            .Select(m => m.Id).FirstAsync(cancellationToken);
        return (id, preview);
    });

    private (SandboxPreview Preview, IncomingCall? Call) Prepare(string json, bool freshMessageId = false)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return (new SandboxPreview("Paste a Segment call, or start from a template.", null, null), null);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(json) > IngestService.MaxCallBytes)
        {
            return (new SandboxPreview($"A call may be at most {IngestService.MaxCallBytes:N0} bytes, as at ingest.", null, null), null);
        }

        JsonObject? item;
        try
        {
            item = JsonNode.Parse(json, documentOptions: JsonOptions) as JsonObject;
        }
        catch (JsonException exception)
        {
            return (new SandboxPreview($"Not valid JSON: {JsonSyntax.Describe(json, exception)}", null, null), null);
        }

        if (item is null)
        {
            return (new SandboxPreview("A call is a JSON object, like {\"type\": \"identify\", \"userId\": \"user-1\"}.", null, null), null);
        }

        if (freshMessageId)
        {
            // Each Send is a new call; the same messageId would be taken for a client's retry and stored once.
            item.Remove("messageId");
        }

        var normalizer = new SegmentCallNormalizer(SegmentCallTypes.Webhook, () => $"sandbox-{Guid.CreateVersion7()}");
        using var document = JsonDocument.Parse(item.ToJsonString());
        var call = normalizer.Normalize(document.RootElement, CallDefaults.None, null, time.GetUtcNow());
        if (call.Invalid is { } problem)
        {
            return (new SandboxPreview($"{problem.Code}: {problem.Message}", null, null), null);
        }

        return (new SandboxPreview(null, call.Json, SegmentToUserlist.Map(call.Json)), call);
    }
}
