using System.Globalization;
using System.Text;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Export;

/// <summary>
/// The event log's filter as query parameters, named as the Events page's own links name them
/// (<c>status</c>, <c>user</c>, <c>group</c>, <c>anonymous</c>) plus <c>type</c>, <c>event</c>,
/// <c>from</c>, <c>to</c> (ISO-8601, UTC) and <c>text</c>, so a download asks for exactly the
/// filter the page lists.
/// </summary>
public sealed record CallsQuery(
    string? Status = null, string? Type = null, string? User = null, string? Group = null, string? Anonymous = null,
    string? Event = null, string? From = null, string? To = null, string? Text = null)
{
    public static CallsQuery Of(MessageFilter filter) => new(
        filter.Status?.ToString(), filter.Type, filter.UserId, filter.GroupId, filter.AnonymousId, filter.Event,
        Time(filter.ReceivedFrom), Time(filter.ReceivedTo), filter.Text);

    /// <summary>The filter, or what is wrong with a parameter.</summary>
    public (MessageFilter? Filter, string? Error) ToFilter()
    {
        MessageStatus? status = null;
        if (!string.IsNullOrWhiteSpace(Status))
        {
            if (!Enum.TryParse<MessageStatus>(Status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return (null, $"status: \"{Status}\" is not one of {string.Join(", ", Enum.GetNames<MessageStatus>())}");
            }

            status = parsed;
        }

        var (from, fromInvalid) = ParseTime(From);
        var (to, toInvalid) = ParseTime(To);
        if (fromInvalid || toInvalid)
        {
            var (name, value) = fromInvalid ? ("from", From) : ("to", To);
            return (null, $"{name}: \"{value}\" is not a date and time (ISO-8601, UTC)");
        }

        return (new MessageFilter(status, Blank(Type), Blank(User), Blank(Group), Blank(Anonymous), Blank(Event), from, to, Blank(Text)), null);
    }

    /// <summary>The non-empty parameters, escaped, joined with <c>&amp;</c> (empty when nothing filters).</summary>
    public string ToQueryString()
    {
        var query = new StringBuilder();
        Add("status", Status);
        Add("type", Type);
        Add("user", User);
        Add("group", Group);
        Add("anonymous", Anonymous);
        Add("event", Event);
        Add("from", From);
        Add("to", To);
        Add("text", Text);
        return query.ToString();

        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Append(query.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? Time(DateTime? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A filter's time as the Events page and the export read it: UTC unless it says otherwise; blank is no time.</summary>
    public static (DateTime? Value, bool Invalid) ParseTime(string? value) =>
        string.IsNullOrWhiteSpace(value) ? (null, false)
        : DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? (DateTime.SpecifyKind(parsed, DateTimeKind.Utc), false)
            : (null, true);
}
