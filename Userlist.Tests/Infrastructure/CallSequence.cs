using System.Globalization;
using System.Text.RegularExpressions;

namespace Userlist.Tests.Infrastructure;

/// <summary>Which call a Push API request carries, in tests whose every call sends its own <c>"seq"</c> number.</summary>
public static partial class CallSequence
{
    public static int Of(string requestBody) => int.Parse(SeqPattern().Match(requestBody).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>
    /// Traits or properties that name the call: <c>"seq"</c>, and a key of its own that a merged
    /// request (coalescing keeps only the latest <c>"seq"</c>) still carries for every call in it.
    /// </summary>
    public static Dictionary<string, object> Marked(int seq, params (string Name, object Value)[] others)
    {
        var fields = others.ToDictionary(field => field.Name, field => field.Value);
        fields["seq"] = seq;
        fields[$"call-{seq}"] = true;
        return fields;
    }

    /// <summary>Every call a request carries, in the order they were merged: one, or several coalesced; calls made with <see cref="Marked"/>.</summary>
    public static IEnumerable<int> All(string requestBody) =>
        CallPattern().Matches(requestBody).Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("\"seq\":(\\d+)")]
    private static partial Regex SeqPattern();

    [GeneratedRegex("\"call-(\\d+)\":true")]
    private static partial Regex CallPattern();
}
