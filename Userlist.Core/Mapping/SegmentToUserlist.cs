using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Userlist.Core.Mapping;

/// <summary>
/// The Segment → Userlist mapping of the design notes (§4): identify → POST /users, track →
/// POST /events, group → POST /companies with the relationship extension, a webhook delete →
/// DELETE /users. Pure: the same stored call always maps to the same request.
/// </summary>
public static class SegmentToUserlist
{
    /// <summary>Userlist's request size limit, in bytes of the JSON body.</summary>
    public const int MaxBodyBytes = 100_000;

    public const string AnonymousReason = "Userlist does not accept calls from anonymous users: identify the user first";

    /// <summary>How every request body is written (coalesced ones too), so sizes and escaping agree.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="callJson">A stored, normalised Segment call.</param>
    /// <param name="linkedUserId">
    /// For an anonymous track or group call, the user its anonymousId is linked to (identity
    /// stitching, design §10): it is sent as that user. Ignored for calls that have a userId.
    /// </param>
    public static MappedCall Map(string callJson, string? linkedUserId = null)
    {
        using var document = JsonDocument.Parse(callJson);
        return Map(document.RootElement, linkedUserId);
    }

    public static MappedCall Map(JsonElement call, string? linkedUserId = null)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return MappedCall.Rejected("The call is not a JSON object");
        }

        if (IsTurnedOff(call))
        {
            return MappedCall.Skipped("turned off for Userlist in integrations");
        }

        var type = Text(call, "type");
        var userId = Text(call, "userId") ?? (type is "track" or "group" ? linkedUserId : null);
        switch (type)
        {
            case "identify" when userId is null:
                return MappedCall.Rejected("identify needs a userId");
            case "track" or "group" when userId is null:
                return MappedCall.Rejected(AnonymousReason);
            case "identify":
                return Sized("POST", "/users", w => User(w, call, userId!));
            case "track":
                return Sized("POST", "/events", w => Event(w, call, userId!));
            case "group" when Text(call, "groupId") is null:
                return MappedCall.Rejected("group needs a groupId");
            case "group":
                return Sized("POST", "/companies", w => Company(w, call, userId!));
            case "delete" when userId is not null:
                return Sized("DELETE", "/users", w => w.WriteString("identifier", userId));
            case "page" or "screen" or "alias" or "delete":
                return MappedCall.Skipped($"Userlist does not take {type} calls");
            default:
                return MappedCall.Rejected($"Unknown call type: {type ?? "(none)"}");
        }
    }

    /// <summary>
    /// Segment's integrations rules: <c>"Userlist": false</c> turns it off; <c>"All": false</c> turns
    /// everything off unless Userlist is named with true (or its options object).
    /// </summary>
    private static bool IsTurnedOff(JsonElement call)
    {
        if (!call.TryGetProperty("integrations", out var integrations) || integrations.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var userlist = integrations.TryGetProperty("Userlist", out var own) ? own.ValueKind : JsonValueKind.Undefined;
        if (userlist == JsonValueKind.False)
        {
            return true;
        }

        var all = integrations.TryGetProperty("All", out var allValue) ? allValue.ValueKind : JsonValueKind.Undefined;
        return all == JsonValueKind.False && userlist is not (JsonValueKind.True or JsonValueKind.Object);
    }

    private static void User(Utf8JsonWriter w, JsonElement call, string userId)
    {
        w.WriteString("identifier", userId);
        var traits = ObjectOrNull(call, "traits");
        var email = traits is { } t && t.TryGetProperty("email", out var e) ? e : default;
        if (email.ValueKind == JsonValueKind.String)
        {
            w.WriteString("email", email.GetString());
        }

        var signedUpAt = SignedUpAt(traits, out var signedUpKeys);
        if (signedUpAt is not null)
        {
            w.WriteString("signed_up_at", signedUpAt);
        }

        // email (string or null) and the sign-up time have their own fields: don't repeat them.
        var mapped = new HashSet<string>(signedUpKeys, StringComparer.Ordinal);
        if (email.ValueKind is JsonValueKind.String or JsonValueKind.Null)
        {
            mapped.Add("email");
        }

        WriteProperties(w, "properties", traits, mapped);
    }

    private static void Event(Utf8JsonWriter w, JsonElement call, string userId)
    {
        w.WriteString("name", Text(call, "event"));
        w.WriteString("user", userId);
        if (ObjectOrNull(call, "context") is { } context && Text(context, "groupId") is { } company)
        {
            w.WriteString("company", company);
        }

        if (Text(call, "timestamp") is { } occurredAt)
        {
            w.WriteString("occurred_at", occurredAt);
        }

        WriteProperties(w, "properties", ObjectOrNull(call, "properties"), []);
    }

    private static void Company(Utf8JsonWriter w, JsonElement call, string userId)
    {
        w.WriteString("identifier", Text(call, "groupId"));
        var traits = ObjectOrNull(call, "traits");
        var name = traits is { } t && t.TryGetProperty("name", out var n) ? n : default;
        if (name.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            w.WritePropertyName("name");
            name.WriteTo(w);
        }

        var signedUpAt = SignedUpAt(traits, out var signedUpKeys);
        if (signedUpAt is not null)
        {
            w.WriteString("signed_up_at", signedUpAt);
        }

        WriteProperties(w, "properties", traits, new HashSet<string>(signedUpKeys, StringComparer.Ordinal) { "name" });

        w.WriteStartArray("relationships");
        w.WriteStartObject();
        w.WriteString("user", userId);
        if (RelationshipProperties(call) is { } relationship)
        {
            w.WritePropertyName("properties");
            relationship.WriteTo(w);
        }

        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary><c>integrations.Userlist.extensions.relationship.properties</c>, when it is an object.</summary>
    private static JsonElement? RelationshipProperties(JsonElement call) =>
        ObjectOrNull(call, "integrations") is { } integrations
        && ObjectOrNull(integrations, "Userlist") is { } userlist
        && ObjectOrNull(userlist, "extensions") is { } extensions
        && ObjectOrNull(extensions, "relationship") is { } relationship
            ? ObjectOrNull(relationship, "properties")
            : null;

    /// <summary>
    /// <c>traits.createdAt</c> (or <c>created_at</c>): a string as sent, a number as epoch seconds in
    /// ISO-8601 UTC. Returns the trait keys it used, so they are not repeated in properties.
    /// </summary>
    private static string? SignedUpAt(JsonElement? traits, out string[] usedKeys)
    {
        usedKeys = [];
        if (traits is not { } t)
        {
            return null;
        }

        foreach (var key in (ReadOnlySpan<string>)["createdAt", "created_at"])
        {
            if (!t.TryGetProperty(key, out var value))
            {
                continue;
            }

            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number when value.TryGetDouble(out var seconds) => EpochSeconds(seconds),
                _ => null,
            };
            if (text is not null)
            {
                usedKeys = t.TryGetProperty("createdAt", out _) && t.TryGetProperty("created_at", out _)
                    ? ["createdAt", "created_at"]
                    : [key];
                return text;
            }
        }

        return null;
    }

    private static string? EpochSeconds(double seconds)
    {
        const double min = -62_135_596_800, max = 253_402_300_799;
        if (seconds is < min or > max || double.IsNaN(seconds))
        {
            return null;
        }

        var instant = DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        var format = instant.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        return instant.ToString(format, CultureInfo.InvariantCulture);
    }

    private static void WriteProperties(Utf8JsonWriter w, string name, JsonElement? source, HashSet<string> leaveOut)
    {
        if (source is not { } values)
        {
            return;
        }

        w.WriteStartObject(name);
        foreach (var property in values.EnumerateObject())
        {
            if (!leaveOut.Contains(property.Name))
            {
                property.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    private static MappedCall Sized(string method, string path, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenCount > MaxBodyBytes
            ? MappedCall.Rejected($"The request to Userlist would be {buffer.WrittenCount:N0} bytes; Userlist takes at most {MaxBodyBytes:N0}")
            : MappedCall.Send(new PushRequest(method, path, Encoding.UTF8.GetString(buffer.WrittenSpan)));
    }

    private static JsonElement? ObjectOrNull(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>A string field, or a number's digits; null when absent, empty or anything else.</summary>
    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String when value.GetString() is { Length: > 0 } text => text,
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
