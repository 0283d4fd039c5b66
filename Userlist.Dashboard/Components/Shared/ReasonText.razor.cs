using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;

namespace Userlist.Dashboard.Components.Shared;

public partial class ReasonText
{
    [Parameter, EditorRequired]
    public required string Reason { get; set; }

    /// <summary>The reason cut at each "call #N", with N for those pieces.</summary>
    private static IEnumerable<(string Text, long? CallId)> Parts(string reason)
    {
        var at = 0;
        foreach (Match match in CallNumber().Matches(reason))
        {
            yield return (reason[at..match.Index], null);
            yield return (match.Value, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            at = match.Index + match.Length;
        }

        yield return (reason[at..], null);
    }

    // The generator can't see the Razor compiler's output, so the regex lives in this file.
    [GeneratedRegex(@"call #(\d{1,18})\b")]
    private static partial Regex CallNumber();
}
