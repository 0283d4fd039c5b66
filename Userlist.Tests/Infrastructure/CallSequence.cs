using System.Globalization;
using System.Text.RegularExpressions;

namespace Userlist.Tests.Infrastructure;

/// <summary>Which call a Push API request carries, in tests whose every call sends its own <c>"seq"</c> number.</summary>
public static partial class CallSequence
{
    public static int Of(string requestBody) => int.Parse(SeqPattern().Match(requestBody).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex("\"seq\":(\\d+)")]
    private static partial Regex SeqPattern();
}
