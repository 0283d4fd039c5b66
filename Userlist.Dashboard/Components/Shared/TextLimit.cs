using Userlist.Core.Ingest;

namespace Userlist.Dashboard.Components.Shared;

/// <summary>
/// The longest text a dashboard field takes, in characters (README, Pages). The field lets one
/// character past it through, so an over-long paste is cut where the field says so instead of
/// silently, and the page refuses to act on it (a crafted request can send more than maxlength).
/// </summary>
public readonly record struct TextLimit(int Characters)
{
    /// <summary>A Segment call: no call ingest takes (32 KB of UTF-8) has more characters.</summary>
    public static readonly TextLimit Call = new(IngestService.MaxCallBytes);

    /// <summary>An Events filter: an id, an event name, text in the payload, a time.</summary>
    public static readonly TextLimit Filter = new(1_000);

    /// <summary>A URL: the Push API's, the alert webhook's.</summary>
    public static readonly TextLimit Url = new(2_048);

    /// <summary>A number typed as text (the delivery settings).</summary>
    public static readonly TextLimit Number = new(20);

    /// <summary>A write key's name, as long as the database keeps.</summary>
    public static readonly TextLimit Name = new(200);

    /// <summary>An email address, a user name or a host name (DNS stops at 253).</summary>
    public static readonly TextLimit Address = new(256);

    /// <summary>A password or a Push API key.</summary>
    public static readonly TextLimit Secret = new(512);

    /// <summary>Several email addresses with commas between them.</summary>
    public static readonly TextLimit Addresses = new(2_000);

    /// <summary>The input's maxlength: one past the limit, so that a longer paste shows the message.</summary>
    public int MaxLength => Characters + 1;

    public string Message => $"Too long: at most {Characters:N0} characters";

    public bool Exceeded(string? value) => value?.Length > Characters;

    /// <summary>The message when the value is too long, for a list of problems: "User id: Too long: ...".</summary>
    public string? Problem(string field, string? value) => Exceeded(value) ? $"{field}: {Message}" : null;
}
