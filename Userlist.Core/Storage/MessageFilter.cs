using System.Globalization;

namespace Userlist.Core.Storage;

/// <summary>What the event log filters on; empty fields don't filter. Times are UTC.</summary>
public sealed record MessageFilter(
    MessageStatus? Status = null,
    string? Type = null,
    string? UserId = null,
    string? GroupId = null,
    string? AnonymousId = null,
    string? Event = null,
    DateTime? ReceivedFrom = null,
    DateTime? ReceivedTo = null,
    string? Text = null)
{
    /// <summary>True when only indexed columns are involved, so an exact count is cheap.</summary>
    public bool UsesIndexesOnly =>
        IsBlank(Type) && IsBlank(GroupId) && IsBlank(Event) && IsBlank(Text) && ReceivedFrom is null && ReceivedTo is null;

    /// <summary>The ids and names it asks for exactly, which a call's payload holds too (search narrows by them).</summary>
    public IEnumerable<string> ExactValues =>
        new[] { UserId, AnonymousId, GroupId, Event }.Where(value => !IsBlank(value)).Select(value => value!);

    /// <summary>The filter in words, for the audit log and the retry dialog.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        Add("status", Status?.ToString());
        Add("type", Type);
        Add("user id", Isolated(UserId));
        Add("group id", Isolated(GroupId));
        Add("anonymous id", Isolated(AnonymousId));
        Add("event", Isolated(Event));
        Add("received from", ReceivedFrom?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        Add("received before", ReceivedTo?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        Add("text", Isolated(Text));
        return parts.Count == 0 ? "all calls" : string.Join(", ", parts);

        void Add(string name, string? value)
        {
            if (!IsBlank(value))
            {
                parts.Add($"{name} = {value}");
            }
        }
    }

    /// <summary>
    /// A value typed by someone (or copied from a call) between Unicode's first-strong isolate and
    /// its closing mark: plain text's &lt;bdi&gt;, so a right-to-left override in a user id can't
    /// reverse the rest of a dialog's sentence or an audit entry.
    /// </summary>
    private static string? Isolated(string? value) => IsBlank(value) ? null : $"\u2068{value!.Trim()}\u2069";

    private static bool IsBlank(string? value) => string.IsNullOrWhiteSpace(value);
}

/// <summary>Which way the log is sorted by time received.</summary>
public enum LogOrder
{
    NewestFirst,
    OldestFirst,
}
