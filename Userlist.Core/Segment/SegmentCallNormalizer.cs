using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Userlist.Core.Segment;

/// <summary>
/// Checks one Segment call and rewrites it into the form we store: the type from the path, ids as
/// strings, null ids dropped, batch context and integrations merged, <c>receivedAt</c> set,
/// <c>timestamp</c> corrected for client clock skew, a <c>messageId</c> when the client sent none,
/// and the write key removed (it is a secret, and browsers copy it into every call).
/// </summary>
public sealed class SegmentCallNormalizer(IReadOnlySet<string> allowedTypes, Func<string> newMessageId)
{
    public const int MaxMessageIdLength = 100;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <param name="pathType">The type named by a single-call path; it wins over the body's <c>type</c>.</param>
    public IncomingCall Normalize(JsonElement item, CallDefaults defaults, string? pathType, DateTimeOffset receivedAt)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return new IncomingCall(newMessageId(), null, null, null, null, null, null, JsonMarshal.GetRawUtf8Value(item).ToArray(),
                new CallProblem("invalid_call", "Each call must be a JSON object"));
        }

        var call = CallFields.Read(item, pathType);
        var messageId = call.MessageId ?? newMessageId();
        var problem = call.Problem ?? Validate(item, call);
        if (problem is not null)
        {
            return new IncomingCall(messageId, call.Type, call.UserId, call.AnonymousId, call.GroupId, call.Event, null,
                WithoutWriteKey(item), problem);
        }

        var timestamp = CorrectedTimestamp(item, defaults, receivedAt);
        var json = Rewrite(item, defaults, call, messageId, timestamp, receivedAt);
        return new IncomingCall(messageId, call.Type, call.UserId, call.AnonymousId,
            call.GroupId ?? ContextGroupId(item, defaults), call.Event, timestamp.UtcDateTime, json, null);
    }

    private CallProblem? Validate(JsonElement item, CallFields call)
    {
        if (call.Type is null || !allowedTypes.Contains(call.Type))
        {
            return new("invalid_type", $"type must be one of: {string.Join(", ", allowedTypes.Order(StringComparer.Ordinal))}");
        }

        if (call.UserId is null && call.AnonymousId is null)
        {
            return new("no_user_anon_id", "The call needs a userId or an anonymousId");
        }

        if (!IsObjectOrAbsent(item, "context"))
        {
            return new("context_not_object", "context must be an object");
        }

        if (!IsObjectOrAbsent(item, "integrations"))
        {
            return new("integrations_not_object", "integrations must be an object");
        }

        return call.Type switch
        {
            SegmentCallTypes.Track => ValidateTrack(item),
            SegmentCallTypes.Identify => ObjectField(item, "traits", "traits_not_object"),
            SegmentCallTypes.Group => call.GroupId is null
                ? new("group_id_required", "A group call needs a groupId")
                : ObjectField(item, "traits", "traits_not_object"),
            SegmentCallTypes.Page or SegmentCallTypes.Screen => ValidatePageOrScreen(item),
            SegmentCallTypes.Alias => call.UserId is null ? new("id_required", "An alias call needs a userId (the new id)") : null,
            SegmentCallTypes.Delete => call.UserId is null ? new("id_required", "A delete call needs a userId") : null,
            _ => null,
        };
    }

    private static CallProblem? ValidateTrack(JsonElement item)
    {
        if (!item.TryGetProperty("event", out var name) || name.ValueKind == JsonValueKind.Null
            || (name.ValueKind == JsonValueKind.String && name.GetString()!.Length == 0))
        {
            return new("event_not_defined", "A track call needs an event name");
        }

        if (name.ValueKind != JsonValueKind.String)
        {
            return new("event_not_string", "event must be a string");
        }

        return ObjectField(item, "properties", "properties_not_object");
    }

    private static CallProblem? ValidatePageOrScreen(JsonElement item)
    {
        foreach (var field in (ReadOnlySpan<string>)["name", "category"])
        {
            if (item.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null
                && (value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0))
            {
                return new($"{field}_not_string", $"{field} must be a non-empty string when present");
            }
        }

        return ObjectField(item, "properties", "properties_not_object");
    }

    private static CallProblem? ObjectField(JsonElement item, string name, string code) =>
        IsObjectOrAbsent(item, name) ? null : new(code, $"{name} must be an object");

    private static bool IsObjectOrAbsent(JsonElement item, string name) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Object or JsonValueKind.Null;

    /// <summary>
    /// Segment's clock-skew correction: receivedAt - (sentAt - timestamp), in the timestamp's own
    /// offset. Without sentAt the client's timestamp stands; without a usable timestamp, receivedAt.
    /// </summary>
    private static DateTimeOffset CorrectedTimestamp(JsonElement item, CallDefaults defaults, DateTimeOffset receivedAt)
    {
        if (!item.TryGetProperty("timestamp", out var raw) || raw.ValueKind != JsonValueKind.String
            || !SegmentTimestamp.TryParse(raw.GetString(), out var original))
        {
            return receivedAt;
        }

        var sentAt = item.TryGetProperty("sentAt", out var own) && own.ValueKind == JsonValueKind.String
            ? SegmentTimestamp.TryParse(own.GetString(), out var callSentAt) ? callSentAt : (DateTimeOffset?)null
            : defaults.SentAtValue;
        if (sentAt is not { } sent)
        {
            return original;
        }

        return (receivedAt - (sent - original)).ToOffset(original.Offset);
    }

    private static string? ContextGroupId(JsonElement item, CallDefaults defaults)
    {
        foreach (var context in new[] { item.TryGetProperty("context", out var own) ? own : (JsonElement?)null, defaults.Context })
        {
            if (context is { ValueKind: JsonValueKind.Object } found && found.TryGetProperty("groupId", out var id))
            {
                return CallFields.IdText(id);
            }
        }

        return null;
    }

    private static byte[] Rewrite(JsonElement item, CallDefaults defaults, CallFields call, string messageId,
        DateTimeOffset timestamp, DateTimeOffset receivedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                written.Add(property.Name);
                switch (property.Name)
                {
                    case "writeKey" or "receivedAt":
                        break;
                    case "type":
                        writer.WriteString("type", call.Type);
                        break;
                    case "messageId":
                        writer.WriteString("messageId", messageId);
                        break;
                    case "userId" or "anonymousId" or "groupId" or "previousId":
                        WriteId(writer, property);
                        break;
                    case "timestamp":
                        writer.WriteString("timestamp", SegmentTimestamp.Format(timestamp));
                        if (!item.TryGetProperty("originalTimestamp", out _))
                        {
                            writer.WritePropertyName("originalTimestamp");
                            property.Value.WriteTo(writer);
                        }

                        break;
                    case "context":
                        WriteMerged(writer, "context", defaults.Context, property.Value);
                        break;
                    case "integrations":
                        WriteMerged(writer, "integrations", defaults.Integrations, property.Value);
                        break;
                    default:
                        property.WriteTo(writer);
                        break;
                }
            }

            WriteMissing(writer, written, defaults, call, messageId, timestamp);
            writer.WriteString("receivedAt", SegmentTimestamp.Format(receivedAt.ToUniversalTime()));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMissing(Utf8JsonWriter writer, HashSet<string> written, CallDefaults defaults,
        CallFields call, string messageId, DateTimeOffset timestamp)
    {
        if (!written.Contains("type"))
        {
            writer.WriteString("type", call.Type);
        }

        if (!written.Contains("messageId"))
        {
            writer.WriteString("messageId", messageId);
        }

        if (!written.Contains("timestamp"))
        {
            writer.WriteString("timestamp", SegmentTimestamp.Format(timestamp));
        }

        if (!written.Contains("context") && defaults.Context is { } context)
        {
            writer.WritePropertyName("context");
            context.WriteTo(writer);
        }

        if (!written.Contains("integrations") && defaults.Integrations is { } integrations)
        {
            writer.WritePropertyName("integrations");
            integrations.WriteTo(writer);
        }

        if (!written.Contains("sentAt") && defaults.SentAt is { } sentAt)
        {
            writer.WritePropertyName("sentAt");
            sentAt.WriteTo(writer);
        }
    }

    private static void WriteId(Utf8JsonWriter writer, JsonProperty property)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Null:
                break;
            case JsonValueKind.Number:
                writer.WriteString(property.Name, property.Value.GetRawText());
                break;
            default:
                property.WriteTo(writer);
                break;
        }
    }

    /// <summary>Shallow merge: the batch's keys are defaults, the call's own keys win.</summary>
    private static void WriteMerged(Utf8JsonWriter writer, string name, JsonElement? batchValue, JsonElement own)
    {
        if (own.ValueKind != JsonValueKind.Object)
        {
            if (batchValue is { } fallback)
            {
                writer.WritePropertyName(name);
                fallback.WriteTo(writer);
            }

            return;
        }

        writer.WriteStartObject(name);
        if (batchValue is { } defaults)
        {
            foreach (var inherited in defaults.EnumerateObject())
            {
                if (!own.TryGetProperty(inherited.Name, out _))
                {
                    inherited.WriteTo(writer);
                }
            }
        }

        foreach (var property in own.EnumerateObject())
        {
            property.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static byte[] WithoutWriteKey(JsonElement item)
    {
        if (!item.TryGetProperty("writeKey", out _))
        {
            return JsonMarshal.GetRawUtf8Value(item).ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var property in item.EnumerateObject().Where(p => p.Name != "writeKey"))
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
