using System.Globalization;
using System.Text;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Export;

/// <summary>
/// The CSV export: one row per call (RFC 4180: comma-separated, CRLF line ends, a field in double
/// quotes when it holds a comma, a quote or a line break, its quotes doubled). Calls come from
/// anyone with a write key, so a text cell that a spreadsheet would run as a formula (one that
/// starts with <c>= + - @</c>, a tab or a carriage return, as OWASP lists) starts with a single
/// quote instead: shown as text, never evaluated.
/// </summary>
public static class CallsCsv
{
    public const string Header = "id,received_at,type,user_id,anonymous_id,group_id,event,status,reason,attempts\r\n";

    public static void AppendRow(StringBuilder csv, ExportedCall call)
    {
        csv.Append(call.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(call.ReceivedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',');
        AppendCell(csv, call.Type);
        csv.Append(',');
        AppendCell(csv, call.UserId);
        csv.Append(',');
        AppendCell(csv, call.AnonymousId);
        csv.Append(',');
        AppendCell(csv, call.GroupId);
        csv.Append(',');
        AppendCell(csv, call.Event);
        csv.Append(',').Append(call.Status.ToString()).Append(',');
        AppendCell(csv, call.StatusReason);
        csv.Append(',').Append(call.AttemptCount.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
    }

    /// <summary>One text field, neutralised and quoted as needed.</summary>
    public static void AppendCell(StringBuilder csv, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var neutralised = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            csv.Append(neutralised ? "'" : "").Append(value);
            return;
        }

        csv.Append('"').Append(neutralised ? "'" : "").Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
