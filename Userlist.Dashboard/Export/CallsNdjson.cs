using System.Text;
using System.Text.Json;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Export;

/// <summary>The NDJSON export: each stored Segment call as it is stored, one a line.</summary>
public static class CallsNdjson
{
    public static void AppendLine(StringBuilder ndjson, ExportedCall call)
    {
        var payload = call.Payload ?? "null";
        ndjson.Append(payload.AsSpan().IndexOfAny('\r', '\n') < 0 ? payload : OneLine(payload)).Append('\n');
    }

    /// <summary>
    /// An Invalid call is stored as it came, and JSON may break lines between its values: written
    /// again without them (a line break inside a JSON string is always escaped). Text that is not
    /// JSON at all goes out as one JSON string, so every line still parses.
    /// </summary>
    private static string OneLine(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(document.RootElement);
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(payload);
        }
    }
}
