using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Ingest;

/// <summary>
/// Requests refused for a write key, a webhook signature or the per-key rate limit are counted per
/// key's last four characters and hour, logged in one line a minute, and listed on the write key.
/// </summary>
public abstract class RefusedIngestTests(StorageKind storage)
{
    public sealed class OnSqlite() : RefusedIngestTests(StorageKind.Sqlite);

    public sealed class OnPostgres() : RefusedIngestTests(StorageKind.Postgres);

    private const string UnknownKey = "wk_unknown_key_9f3Z";
    private const string Call = """{"type":"track","event":"E","userId":"u","messageId":"m"}""";

    [SkippableFact]
    public async Task RefusedRequests_AreCountedByKeysLastFourAndHour_LoggedOnceAMinute_AndNothingOfAKeyIsStored()
    {
        TestDatabase.SkipUnlessInstalled(storage);
        await using var database = await TestDatabase.CreateAsync(storage);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero));
        await using var relay = new RelayFactory(database) { Time = clock, Settings = { ["Ingest:WebhookSecret"] = "whsec_alerts" } };
        using var client = relay.CreateClient();

        await (await client.SendAsync(relay.Post("/v1/track", Call, UnknownKey))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
        await (await client.SendAsync(relay.Post("/v1/track", Call, UnknownKey))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
        await (await client.SendAsync(relay.Post("/v1/track", Call, writeKey: null))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
        await (await client.SendAsync(relay.Post("/v1/track", Call.Replace("{", """{"writeKey":"body_key_abcdWXYZ",""", StringComparison.Ordinal), writeKey: null)))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
        var unsigned = new HttpRequestMessage(HttpMethod.Post, "/segment/webhook") { Content = new StringContent(Call, Encoding.UTF8, "application/json") };
        unsigned.Headers.Add("X-Signature", "00");
        await (await client.SendAsync(unsigned)).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_signature");
        // An accepted request is not counted.
        await (await client.SendAsync(relay.Post("/v1/track", Call))).AssertSuccessAsync();

        // The minutely flush writes them and logs one line for all five.
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => Task.FromResult(relay.Logs.Lines.Any(l => l.Contains("Refused 5 ingest requests since the last summary", StringComparison.Ordinal))), "the minute's summary is logged");
        var summary = Assert.Single(relay.Logs.Lines, l => l.Contains("ingest requests since the last summary", StringComparison.Ordinal));
        Assert.Contains("write_key (key …9f3Z) × 2", summary, StringComparison.Ordinal);

        // A later hour gets rows of its own.
        clock.Advance(TimeSpan.FromMinutes(44));
        await (await client.SendAsync(relay.Post("/v1/track", Call, UnknownKey))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");

        var refusals = relay.Services.GetRequiredService<IngestRefusals>();
        await refusals.FlushAsync(CancellationToken.None);
        await refusals.FlushAsync(CancellationToken.None);

        await using (var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            var rows = (await db.RefusedIngest.AsNoTracking().ToListAsync())
                .OrderBy(r => r.Hour).ThenBy(r => r.Reason, StringComparer.Ordinal).ThenBy(r => r.KeyHint, StringComparer.Ordinal)
                .Select(r => (r.Hour.Hour, r.Reason, r.KeyHint, r.Count)).ToList();
            Assert.Equal([(9, "signature", "(none)", 1), (9, "write_key", "(none)", 1), (9, "write_key", "9f3Z", 2), (9, "write_key", "WXYZ", 1), (10, "write_key", "9f3Z", 1)], rows);
        }

        Assert.Equal(2, relay.Logs.Lines.Count(l => l.Contains("ingest requests since the last summary", StringComparison.Ordinal)));
        Assert.DoesNotContain(relay.Logs.Lines, l => l.Contains(UnknownKey, StringComparison.Ordinal) || l.Contains("body_key_abcdWXYZ", StringComparison.Ordinal));

        var lastDay = await refusals.SinceAsync(clock.GetUtcNow().UtcDateTime.AddHours(-24), CancellationToken.None);
        Assert.Equal(6, lastDay.Sum(r => r.Count));
        Assert.Equal(("9f3Z", "write_key", 3), (lastDay[0].KeyHint, lastDay[0].Reason, lastDay[0].Count));
    }

    [SkippableFact]
    public async Task RevokedKey_ShowsWhenItWasLastRefused_OnItsRow_BeforeAndAfterTheFlush()
    {
        TestDatabase.SkipUnlessInstalled(storage);
        await using var database = await TestDatabase.CreateAsync(storage);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero));
        await using var relay = new RelayFactory(database) { Time = clock };
        using var client = relay.CreateClient();
        var admin = relay.Services.GetRequiredService<WriteKeyAdmin>();
        var key = await admin.CreateAsync("Web app", "ops@example.com", CancellationToken.None);
        await (await client.SendAsync(relay.Post("/v1/track", Call, key))).AssertSuccessAsync();
        var id = Assert.Single(await admin.ListAsync(CancellationToken.None)).Id;
        Assert.Null(Assert.Single(await admin.ListAsync(CancellationToken.None)).LastRefusedAt);

        await admin.RevokeAsync(id, "ops@example.com", CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(3));
        await (await client.SendAsync(relay.Post("/v1/track", Call, key))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");

        Assert.Equal(clock.GetUtcNow().UtcDateTime, Assert.Single(await admin.ListAsync(CancellationToken.None)).LastRefusedAt);
        await relay.Services.GetRequiredService<IngestRefusals>().FlushAsync(CancellationToken.None);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, Assert.Single(await admin.ListAsync(CancellationToken.None)).LastRefusedAt);
    }

    [SkippableFact]
    public async Task RateLimitedRequests_AreCountedForTheirKey()
    {
        TestDatabase.SkipUnlessInstalled(storage);
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = new RelayFactory(database) { Settings = { ["Ingest:RequestsPerSecondPerKey"] = "1" } };
        using var client = relay.CreateClient();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await client.SendAsync(relay.Post("/v1/track", Call))).StatusCode);
        }

        var limited = answers.Count(a => a == HttpStatusCode.TooManyRequests);
        Assert.True(limited > 0, "the second request within a second is refused");
        var refusals = relay.Services.GetRequiredService<IngestRefusals>();
        var counted = await refusals.SinceAsync(DateTime.UtcNow.AddHours(-1), CancellationToken.None);
        Assert.Equal((RelayFactory.WriteKey[^4..], IngestRefusals.RateLimitReason, limited), (Assert.Single(counted).KeyHint, counted[0].Reason, counted[0].Count));
    }
}
