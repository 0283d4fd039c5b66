using System.Text;

namespace Userlist.Core.Segment;

public static class BasicAuthorization
{
    /// <summary>
    /// The user name of a Basic Authorization header, which Segment clients set to the write key,
    /// with or without the trailing colon. Null when the header is absent, not Basic, or unreadable.
    /// </summary>
    public static string? UserName(string? header)
    {
        const string scheme = "Basic ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = header[scheme.Length..].Trim();
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return null;
        }

        var credentials = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? credentials : credentials[..colon];
        return user.Length == 0 ? null : user;
    }
}
