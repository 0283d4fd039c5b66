using System.Globalization;

namespace Userlist.Core.Segment;

/// <summary>
/// Lenient ISO-8601 parsing for the timestamps Segment libraries send: any number of fraction
/// digits (C# sends 7, Go sends 9), an offset or <c>Z</c>, or no zone at all (taken as UTC), and
/// one-digit months and days (Segment's own docs show one). Hand-written because it runs for
/// every call on the ingest path.
/// </summary>
public static class SegmentTimestamp
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length > 64)
        {
            return false;
        }

        var reader = new Reader(text.AsSpan().Trim());
        if (!reader.Number(4, 4, out var year) || !reader.Skip('-') || !reader.Number(1, 2, out var month)
            || !reader.Skip('-') || !reader.Number(1, 2, out var day))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        long ticks = 0;
        if (reader.Skip('T') || reader.Skip('t') || reader.Skip(' '))
        {
            if (!reader.Number(1, 2, out hour) || !reader.Skip(':') || !reader.Number(2, 2, out minute))
            {
                return false;
            }

            if (reader.Skip(':') && !reader.Number(2, 2, out second))
            {
                return false;
            }

            if ((reader.Skip('.') || reader.Skip(',')) && !reader.Fraction(out ticks))
            {
                return false;
            }
        }

        if (!reader.Zone(out var offset) || !reader.AtEnd)
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
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

    private ref struct Reader(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> text = text;
        private int position;

        public readonly bool AtEnd => position == text.Length;

        public bool Skip(char expected)
        {
            if (position < text.Length && text[position] == expected)
            {
                position++;
                return true;
            }

            return false;
        }

        public bool Number(int minDigits, int maxDigits, out int value)
        {
            value = 0;
            var digits = 0;
            while (digits < maxDigits && position < text.Length && char.IsAsciiDigit(text[position]))
            {
                value = (value * 10) + (text[position++] - '0');
                digits++;
            }

            return digits >= minDigits;
        }

        /// <summary>Fraction digits as 100 ns ticks: the first 7 count, the rest are below DateTimeOffset's precision.</summary>
        public bool Fraction(out long ticks)
        {
            ticks = 0;
            var digits = 0;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                if (digits < 7)
                {
                    ticks = (ticks * 10) + (text[position] - '0');
                }

                position++;
                digits++;
            }

            for (var scale = digits; scale < 7; scale++)
            {
                ticks *= 10;
            }

            return digits > 0;
        }

        public bool Zone(out TimeSpan offset)
        {
            offset = TimeSpan.Zero;
            while (Skip(' '))
            {
            }

            if (AtEnd || Skip('Z') || Skip('z'))
            {
                return true;
            }

            var sign = Skip('+') ? 1 : Skip('-') ? -1 : 0;
            if (sign == 0 || !Number(2, 2, out var hours))
            {
                return false;
            }

            var minutes = 0;
            if (!AtEnd)
            {
                Skip(':');
                if (!Number(2, 2, out minutes))
                {
                    return false;
                }
            }

            if (hours > 14 || minutes > 59)
            {
                return false;
            }

            offset = sign * new TimeSpan(hours, minutes, 0);
            return true;
        }
    }
}
