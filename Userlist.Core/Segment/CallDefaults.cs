using System.Text.Json;

namespace Userlist.Core.Segment;

/// <summary>
/// What a batch envelope lends to each of its calls: its <c>context</c> and <c>integrations</c>
/// (merged under the call's own keys) and its <c>sentAt</c> (used when the call has none).
/// </summary>
public sealed record CallDefaults(JsonElement? Context, JsonElement? Integrations, JsonElement? SentAt)
{
    public static readonly CallDefaults None = new(null, null, null);

    /// <summary>The envelope's sentAt, parsed once for all its calls; null when absent or unreadable.</summary>
    public DateTimeOffset? SentAtValue { get; } =
        SentAt is { } raw && SegmentTimestamp.TryParse(raw.GetString(), out var value) ? value : null;

    public static CallDefaults FromEnvelope(JsonElement envelope) => new(
        ObjectOrNull(envelope, "context"),
        ObjectOrNull(envelope, "integrations"),
        envelope.TryGetProperty("sentAt", out var sentAt) && sentAt.ValueKind == JsonValueKind.String ? sentAt : null);

    private static JsonElement? ObjectOrNull(JsonElement envelope, string name) =>
        envelope.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;
}
