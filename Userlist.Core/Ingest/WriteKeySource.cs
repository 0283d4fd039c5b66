namespace Userlist.Core.Ingest;

/// <summary>Where a call came from: a write key (never its value) or the webhook.</summary>
/// <param name="Id">Stable and safe to show: the key's value can't be derived from it.</param>
/// <param name="StoredKeyId">The dashboard-created key's row, whose last use is recorded; null for configured keys.</param>
public sealed record WriteKeySource(string Id, string Name, int? StoredKeyId = null)
{
    public static readonly WriteKeySource Webhook = new("webhook", "Segment webhook");

    /// <summary>Calls sent from the dashboard's sandbox.</summary>
    public static readonly WriteKeySource Sandbox = new("sandbox", "Dashboard sandbox");
}
