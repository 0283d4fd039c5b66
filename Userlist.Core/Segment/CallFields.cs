using System.Text.Json;

namespace Userlist.Core.Segment;

/// <summary>The identifying fields of one call, read leniently: null ids are absent, numeric ids become strings.</summary>
internal sealed record CallFields(
    string? Type,
    string? MessageId,
    string? UserId,
    string? AnonymousId,
    string? GroupId,
    string? Event,
    CallProblem? Problem)
{
    public static CallFields Read(JsonElement item, string? pathType)
    {
        var type = pathType ?? (item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
        var problem = ReadMessageId(item, out var messageId);
        var userId = ReadId(item, "userId", "id_not_string", ref problem);
        var anonymousId = ReadId(item, "anonymousId", "id_not_string", ref problem);
        var groupId = ReadId(item, "groupId", "group_id_not_string", ref problem);
        var name = item.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return new CallFields(type, messageId, userId, anonymousId, groupId, name, problem);
    }

    /// <summary>The id as text: strings as they are, numbers by their JSON digits; anything else has none.</summary>
    public static string? IdText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { Length: > 0 } text => text,
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static string? ReadId(JsonElement item, string name, string code, ref CallProblem? problem)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = IdText(value);
        if (text is null)
        {
            problem ??= new CallProblem(code, $"{name} must be a non-empty string or a number");
        }

        return text;
    }

    private static CallProblem? ReadMessageId(JsonElement item, out string? messageId)
    {
        messageId = null;
        if (!item.TryGetProperty("messageId", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        messageId = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };

        if (messageId is null && value.ValueKind != JsonValueKind.String)
        {
            return new CallProblem("message_id_not_string", "messageId must be a string");
        }

        if (messageId is { Length: > SegmentCallNormalizer.MaxMessageIdLength })
        {
            messageId = null;
            return new CallProblem("message_id_too_long", $"messageId must be at most {SegmentCallNormalizer.MaxMessageIdLength} characters");
        }

        return null;
    }
}
