namespace Userlist.Core.Alerts;

/// <summary>The conditions the relay raises alerts for, by the names stored and shown.</summary>
public static class AlertConditions
{
    public const string CallsFailed = "calls-failed";
    public const string KeyRefused = "key-refused";
    public const string DeliveryStalled = "delivery-stalled";
    public const string OldestWaiting = "oldest-waiting";
    public const string IngestUnavailable = "ingest-unavailable";
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All = [CallsFailed, KeyRefused, DeliveryStalled, OldestWaiting, IngestUnavailable];

    public static string Title(string condition) => condition switch
    {
        CallsFailed => "Calls failed",
        KeyRefused => "Push API key refused",
        DeliveryStalled => "Delivery paused or stalled",
        OldestWaiting => "Calls waiting too long",
        IngestUnavailable => "Ingest answering 503",
        Test => "Test alert",
        _ => condition,
    };
}

/// <summary>What an alert says about its condition.</summary>
public static class AlertKinds
{
    public const string Raised = "raised";
    public const string Still = "still";
    public const string Resolved = "resolved";
    public const string Test = "test";
}

/// <summary>The channels an alert goes to.</summary>
public static class AlertChannelNames
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}
