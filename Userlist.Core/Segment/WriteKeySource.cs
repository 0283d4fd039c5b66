namespace Userlist.Core.Segment;

/// <summary>Where a call came from: a write key (never its value) or the webhook.</summary>
/// <param name="Id">Stable and safe to show: the key's value can't be derived from it.</param>
public sealed record WriteKeySource(string Id, string Name)
{
    public static readonly WriteKeySource Webhook = new("webhook", "Segment webhook");
}
