using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>
/// "Back up now" on a relay that keeps receiving calls, restored the way the README says (the
/// backup's files copied into an empty data folder), then started: it holds every call
/// acknowledged before the backup began, and the Push API key saved (encrypted) before it.
/// </summary>
public sealed class BackupTests
{
    private const string Operator = "ops@example.com";
    private const string SavedPushKey = "push-saved-key-4321";

    [Fact]
    public async Task BackUpNow_WhileCallsArrive_RestoredRelayHoldsEveryAcknowledgedCallAndSendsWithTheSavedKey()
    {
        await using var userlist = await FakeUserlist.StartAsync();
        using var backups = new TemporaryFolder();
        HashSet<string> acknowledgedBefore;
        BackupOutcome outcome;
        await using (var relay = new RelayFactory())
        {
            relay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
            relay.Settings["Storage:BackupFolder"] = backups.Path;
            using var client = relay.CreateClient();
            var delivery = relay.Services.GetRequiredService<DeliverySettings>();
            await delivery.SavePushKeyAsync(SavedPushKey, Operator, CancellationToken.None);

            // Paused, so the calls are still waiting in the backup and the restored relay has to send them with the saved key.
            await delivery.PauseAsync(Operator, CancellationToken.None);
            await relay.Services.GetRequiredService<DeliveryDispatcher>().RefreshBlockAsync(CancellationToken.None);

            var ingest = new ContinuousIngest(relay, client);
            using var stop = new CancellationTokenSource();
            var sending = ingest.RunAsync(stop.Token);
            await ingest.UntilAcknowledgedAsync(50);
            acknowledgedBefore = [.. ingest.Acknowledged];
            outcome = await relay.Services.GetRequiredService<BackupService>().BackUpNowAsync(Operator, CancellationToken.None);
            await ingest.UntilAcknowledgedAsync(ingest.Acknowledged.Count + 20);
            await stop.CancelAsync();
            await sending;

            Assert.Empty(ingest.Refused);
            Assert.Null(outcome.Error);
            var audit = await relay.Services.GetRequiredService<AuditLog>().NewestAsync(1, CancellationToken.None);
            Assert.Equal($"Backed up to {outcome.Copy!.Folder} ({outcome.Copy.Size})", Assert.Single(audit).Detail);
        }

        var copy = outcome.Copy;
        Assert.StartsWith(backups.Path, copy.Folder, StringComparison.Ordinal);
        Assert.Contains("relay.db", copy.Files);
        Assert.Contains("hangfire.db", copy.Files);
        Assert.Contains(copy.Files, f => f.StartsWith("keys" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && f.EndsWith(".xml", StringComparison.Ordinal));
        Assert.DoesNotContain(copy.Files, f => f.EndsWith("-wal", StringComparison.Ordinal) || f.EndsWith("-journal", StringComparison.Ordinal));
        Assert.Equal(copy.Files.Sum(f => new FileInfo(Path.Combine(copy.Folder, f)).Length), copy.Bytes);

        using var restored = new TemporaryFolder();
        CopyFolder(copy.Folder, restored.Path);
        await using var restoredRelay = new RelayFactory(restored);
        restoredRelay.Settings["Userlist:PushApiUrl"] = userlist.Url.ToString();
        restoredRelay.Settings["Userlist:RequestsPerMinute"] = "1000000";

        var stored = (await restoredRelay.MessagesAsync()).Select(m => m.MessageId).ToHashSet();
        var missing = acknowledgedBefore.Except(stored).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} calls acknowledged before the backup are missing from it, e.g. {string.Join(", ", missing.Take(5))}");

        var restoredDelivery = restoredRelay.Services.GetRequiredService<DeliverySettings>();
        Assert.Equal(DeliverySettings.Mask(SavedPushKey), (await restoredDelivery.PushKeyHintAsync(CancellationToken.None))?.Masked);
        Assert.Empty(userlist.Requests);
        await restoredDelivery.UnpauseAsync(Operator, CancellationToken.None);
        await restoredRelay.Services.GetRequiredService<DeliveryDispatcher>().RefreshBlockAsync(CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await restoredRelay.MessagesAsync()).All(m => m.Status == MessageStatus.Delivered),
            "every restored call is Delivered", TimeSpan.FromSeconds(60));
        Assert.Equal(stored.Count, userlist.Requests.Count);
        Assert.All(userlist.Requests, r => Assert.Equal("Push " + SavedPushKey, r.Authorization));
    }

    [SkippableFact]
    public async Task StartIngestAndBackUp_OnUnix_DataFilesAreOwnerOnly()
    {
        Skip.If(OperatingSystem.IsWindows(), "Windows has no Unix file modes");
        using var root = new TemporaryFolder();
        var data = Path.Combine(root.Path, "data");
        await using var relay = new RelayFactory(root);
        relay.Settings["ConnectionStrings:Userlist"] = $"Data Source={Path.Combine(data, "userlist.db")}";
        using var client = relay.CreateClient();

        await relay.Services.GetRequiredService<DeliverySettings>().SavePushKeyAsync(SavedPushKey, Operator, CancellationToken.None);
        Assert.True((await client.SendAsync(relay.Post("/v1/track", """{"userId":"u","event":"E","messageId":"mode-1"}"""))).IsSuccessStatusCode);
        var outcome = await relay.Services.GetRequiredService<BackupService>().BackUpNowAsync(Operator, CancellationToken.None);

        Assert.Null(outcome.Error);
        var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(data, f)).ToList();
        Assert.Contains("userlist.db-wal", files);
        Assert.Contains("userlist.db-shm", files);
        Assert.Contains("hangfire.db", files);
        Assert.Contains(files, f => f.StartsWith("keys", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("backups", StringComparison.Ordinal) && f.EndsWith("userlist.db", StringComparison.Ordinal));
        // A lock file holds no data: only the files that do are checked.
        var readableByOthers = files.Where(f => !f.EndsWith(".lock", StringComparison.Ordinal) && ModeOf(Path.Combine(data, f)) != OwnerOnly.FileMode)
            .Select(f => $"{f} {ModeOf(Path.Combine(data, f))}").ToList();
        Assert.True(readableByOthers.Count == 0, "not 0600: " + string.Join(", ", readableByOthers));
        var folders = Directory.EnumerateDirectories(data, "*", SearchOption.AllDirectories).Prepend(data)
            .Where(f => ModeOf(f) != OwnerOnly.FolderMode).Select(f => $"{f} {ModeOf(f)}").ToList();
        Assert.True(folders.Count == 0, "not 0700: " + string.Join(", ", folders));
    }

    /// <summary>Only reached on Unix: the test skips itself on Windows first.</summary>
    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path);

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }
}
