using System.Globalization;
using System.Text.RegularExpressions;

namespace Userlist.Core.Segment;

/// <summary>
/// Lenient ISO-8601 parsing for the timestamps Segment libraries send: any number of fraction
/// digits (C# sends 7, Go sends 9), an offset or <c>Z</c>, or no zone at all (taken as UTC).
/// </summary>
public static partial class SegmentTimestamp
{
    [GeneratedRegex(
        @"^(?<y>\d{4})-(?<mo>\d{1,2})-(?<d>\d{1,2})(?:[Tt ](?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d+))?)?)?\s*(?<z>[Zz]|[+-]\d{2}(?::?\d{2})?)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex IsoPattern();

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        var match = IsoPattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        try
        {
            var offset = ParseOffset(match.Groups["z"].Value);
            var fraction = match.Groups["f"].Value;
            // DateTimeOffset keeps 100 ns ticks: 7 digits; the rest is below its precision.
            var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], CultureInfo.InvariantCulture);
            value = new DateTimeOffset(
                Number(match, "y"), Number(match, "mo"), Number(match, "d"),
                Number(match, "h"), Number(match, "mi"), Number(match, "s"),
                offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>ISO-8601 with 3 to 7 fraction digits, in the value's own offset; <c>Z</c> for UTC.</summary>
    public static string Format(DateTimeOffset value)
    {
        var fraction = value.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0').PadRight(3, '0');
        var zone = value.Offset == TimeSpan.Zero ? "Z" : value.ToString("zzz", CultureInfo.InvariantCulture);
        return $"{value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)}.{fraction}{zone}";
    }

    private static int Number(Match match, string group) =>
        match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    private static TimeSpan ParseOffset(string zone)
    {
        if (zone.Length == 0 || zone is "Z" or "z")
        {
            return TimeSpan.Zero;
        }

        var digits = zone[1..].Replace(":", "", StringComparison.Ordinal);
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length >= 4 ? int.Parse(digits[2..4], CultureInfo.InvariantCulture) : 0;
        var offset = new TimeSpan(hours, minutes, 0);
        return zone[0] == '-' ? -offset : offset;
    }
}
