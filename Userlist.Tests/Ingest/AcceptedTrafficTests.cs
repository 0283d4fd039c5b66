using System.IO.Compression;
using System.Net;
using System.Text;
using Userlist.Core.Ingest;
using Userlist.Core.Storage;

namespace Userlist.Tests.Ingest;

/// <summary>The accepted test vectors TV-1..TV-13 of the Segment tracking API notes: what real clients send.</summary>
public abstract class AcceptedTrafficTests(RelayFixture fixture)
{
    public sealed class OnSqlite(RelayFixture.OnSqlite fixture) : AcceptedTrafficTests(fixture), IClassFixture<RelayFixture.OnSqlite>;

    public sealed class OnPostgres(RelayFixture.OnPostgres fixture) : AcceptedTrafficTests(fixture), IClassFixture<RelayFixture.OnPostgres>;

    private HttpClient Client => fixture.Client;

    [SkippableFact]
    public async Task Batch_FromAnalyticsNode_StoresBothCallsWithCorrectedTimestamp()
    {
        const string body = """
            {"batch":[
             {"userId":"user-42","traits":{"email":"ada@example.com","name":"Ada"},"type":"identify","integrations":{},"context":{"library":{"name":"@segment/analytics-node","version":"3.1.0"}},"timestamp":"2024-05-01T12:00:00.000Z","messageId":"node-next-1714564800000-0f0e0d0c-0b0a-4090-8807-060504030201","_metadata":{"nodeVersion":"v20.11.0","jsRuntime":"node"}},
             {"userId":"user-42","event":"Item Purchased","properties":{"plan":"pro","revenue":14.99},"type":"track","integrations":{},"context":{"groupId":"acct-7","library":{"name":"@segment/analytics-node","version":"3.1.0"}},"timestamp":"2024-05-01T12:00:01.000Z","messageId":"node-next-1714564801000-1f1e1d1c-1b1a-4191-8817-161514131211","_metadata":{"nodeVersion":"v20.11.0","jsRuntime":"node"}}
            ],"writeKey":"wk_test_123","sentAt":"2024-05-01T12:00:02.000Z"}
            """;

        await (await Client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();

        var identify = await StoredAsync("node-next-1714564800000-0f0e0d0c-0b0a-4090-8807-060504030201");
        var track = await StoredAsync("node-next-1714564801000-1f1e1d1c-1b1a-4191-8817-161514131211");
        Assert.Equal(("identify", "user-42", MessageStatus.Pending), (identify.Type, identify.UserId, identify.Status));
        Assert.Equal(("track", "Item Purchased", "acct-7"), (track.Type, track.Event, track.GroupId));
        Assert.Equal(RelayFixture.ReceivedAt.UtcDateTime, track.ReceivedAt);
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 9, 500, DateTimeKind.Utc), track.Timestamp);

        var json = track.PayloadJson();
        Assert.Equal("2024-05-01T12:00:09.500Z", json.GetProperty("timestamp").GetString());
        Assert.Equal("2024-05-01T12:00:01.000Z", json.GetProperty("originalTimestamp").GetString());
        Assert.Equal("2024-05-01T12:00:10.500Z", json.GetProperty("receivedAt").GetString());
        Assert.Equal("node", json.GetProperty("_metadata").GetProperty("jsRuntime").GetString());
        Assert.False(json.TryGetProperty("writeKey", out _), "the write key must not be stored");
    }

    [SkippableFact]
    public async Task Batch_FromAnalyticsCSharp_GzipWithoutContentTypeOrAuthIsStoredOnce()
    {
        const string body = """
            {"batch":[{"type":"track","event":"Signed Up","properties":{"source":"app"},"anonymousId":"5f0a7d0e-1c2b-4b7e-9a61-2f1a0c9d8e7b","messageId":"2b1e4c1a-9d8f-4e3b-8a7c-6d5e4f3a2b1c","userId":"user-42","timestamp":"2024-05-01T12:00:00.1234567Z","context":{"library":{"name":"Analytics-CSharp","version":"2.6.0"},"os":"Ubuntu 24.04.1 LTS","platform":".NET"},"integrations":{},"metrics":[],"_metadata":{"bundled":[],"unbundled":[],"bundledIds":[]}}],"sentAt":"2024-05-01T12:00:05.7654321Z","writeKey":"wk_test_123"}
            """;

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/b") { Content = new ByteArrayContent(Gzip(body)) };
            request.Content.Headers.ContentEncoding.Add("gzip");
            request.Headers.Accept.ParseAdd("text/plain");
            await (await Client.SendAsync(request)).AssertSuccessAsync();
        }

        var stored = (await fixture.Relay.MessagesAsync()).Where(m => m.MessageId == "2b1e4c1a-9d8f-4e3b-8a7c-6d5e4f3a2b1c").ToList();
        var track = Assert.Single(stored);
        // 12:00:10.500 - (12:00:05.7654321 - 12:00:00.1234567) = 12:00:04.8580246, to the microsecond,
        // all that PostgreSQL's timestamps hold.
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 4, DateTimeKind.Utc).AddTicks(8_580_246), track.Timestamp!.Value, TimeSpan.FromMicroseconds(1));
    }

    [SkippableFact]
    public async Task Batch_FromAnalyticsPython_NullAnonymousIdIsAbsentAndAnswerIsExactly200()
    {
        const string body = """
            {"batch":[{"properties":{},"timestamp":"2024-05-01T12:00:00.123+00:00","context":{"library":{"name":"analytics-python","version":"2.3.4"}},"type":"page","name":"Pricing","userId":"user-42","anonymousId":null,"messageId":"6c0d2a4e-5b1f-4c3d-9e8f-7a6b5c4d3e2f","integrations":{}}],"sentAt":"2024-05-01T12:00:00.456789+00:00","writeKey":"wk_test_123"}
            """;

        await (await Client.SendAsync(fixture.Relay.Post("/v1/batch", body, writeKey: null))).AssertSuccessAsync();

        var page = await StoredAsync("6c0d2a4e-5b1f-4c3d-9e8f-7a6b5c4d3e2f");
        Assert.Equal(("page", null, MessageStatus.Pending), (page.Type, page.AnonymousId, page.Status));
        Assert.False(page.PayloadJson().TryGetProperty("anonymousId", out _));
    }

    [SkippableFact]
    public async Task Batch_FromAnalyticsGo_MergesBatchContextAndParsesNineDigitOffsetTimestamps()
    {
        const string body = """
            {"messageId":"b7c1d9e0-1111-4222-8333-944455556666","sentAt":"2024-05-01T05:00:02.123456789-07:00","batch":[{"type":"group","messageId":"go-a1","userId":"user-42","groupId":"acct-7","timestamp":"2024-05-01T05:00:01.987654321-07:00","traits":{"name":"Initech","plan":"enterprise"}}],"context":{"library":{"name":"analytics-go","version":"3.0.0"}}}
            """;

        await (await Client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();

        var group = await StoredAsync("go-a1");
        Assert.Equal(("group", "acct-7"), (group.Type, group.GroupId));
        Assert.Equal("analytics-go", group.PayloadJson().GetProperty("context").GetProperty("library").GetProperty("name").GetString());
        // 12:00:10.500 - (12:00:02.1234567 - 12:00:01.9876543) to the microsecond, sent in the call's own offset.
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 10, DateTimeKind.Utc).AddTicks(3_641_976), group.Timestamp!.Value, TimeSpan.FromMicroseconds(1));
        Assert.Equal("2024-05-01T05:00:10.3641976-07:00", group.PayloadJson().GetProperty("timestamp").GetString());
    }

    [SkippableFact]
    public async Task Import_FromRubyJavaOrDotNet_StoresAlias()
    {
        const string body = """
            {"sentAt":"2024-05-01T14:00:02.0000000+02:00","messageId":"net-batch-1","batch":[{"type":"alias","previousId":"anon-9","userId":"user-42","messageId":"r1","timestamp":"2024-05-01T14:00:00.0000000+02:00"}]}
            """;

        await (await Client.SendAsync(fixture.Relay.Post("/v1/import", body))).AssertSuccessAsync();

        Assert.Equal("alias", (await StoredAsync("r1")).Type);
    }

    [SkippableFact]
    public async Task Identify_RawHttpWithoutSentAt_TakesTypeFromPathGeneratesMessageIdAndKeepsTimestamp()
    {
        const string body = """
            {"userId":"019mr8mf4r","traits":{"email":"pgibbons@example.com","name":"Peter Gibbons","industry":"Technology"},"context":{"ip":"24.5.68.47"},"timestamp":"2012-12-02T00:30:08.276Z"}
            """;
        var before = (await fixture.Relay.MessagesAsync()).Count;

        await (await Client.SendAsync(fixture.Relay.Post("/v1/identify", body))).AssertSuccessAsync();

        var identify = (await fixture.Relay.MessagesAsync()).Skip(before).Single();
        Assert.Equal(("identify", "019mr8mf4r"), (identify.Type, identify.UserId));
        Assert.StartsWith("relay-", identify.MessageId, StringComparison.Ordinal);
        Assert.Equal(identify.MessageId, identify.PayloadJson().GetProperty("messageId").GetString());
        Assert.Equal(new DateTime(2012, 12, 2, 0, 30, 8, 276, DateTimeKind.Utc), identify.Timestamp);
    }

    [SkippableTheory]
    [InlineData("/v1/track", """{"event":"happy-path","userId":"123","writeKey":"wk_test_123","messageId":"58524f3a-3b76-4eac-aa97-d88bccdf4f77"}""", "track", null)]
    [InlineData("/v1/group", """{"userId":"019mr8mf4r","groupId":"8e9df332ac","traits":{"name":"Initech","employees":420},"messageId":"tv7-group"}""", "group", "Basic")]
    [InlineData("/v1/alias", """{"previousId":"39239-239239-239239-23923","userId":"019mr8mf4r","messageId":"tv7-alias"}""", "alias", "Basic")]
    [InlineData("/v1/page", """{"userId":"019mr8mf4r","name":"Tracking HTTP API","messageId":"tv7-page"}""", "page", "Basic")]
    [InlineData("/v1/screen", """{"anonymousId":"a-1","name":"Main Screen","messageId":"tv7-screen"}""", "screen", "Basic")]
    public async Task SingleCall_WithKeyInBodyOrHeader_IsStoredWithThePathsType(string path, string body, string type, string? auth)
    {
        var request = fixture.Relay.Post(path, body, writeKey: auth is null ? null : Infrastructure.RelayFactory.WriteKey);

        await (await Client.SendAsync(request)).AssertSuccessAsync();

        var messageId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("messageId").GetString()!;
        Assert.Equal(type, (await StoredAsync(messageId)).Type);
    }

    [SkippableFact]
    public async Task Identify_BasicAuthWithoutColon_IsAccepted()
    {
        using var request = fixture.Relay.Post("/v1/identify", """{"userId":"u-tv8","messageId":"tv8"}""", writeKey: null);
        request.Headers.Authorization = new("Basic", "d2tfdGVzdF8xMjM=");

        await (await Client.SendAsync(request)).AssertSuccessAsync();

        Assert.Equal("u-tv8", (await StoredAsync("tv8")).UserId);
    }

    [SkippableFact]
    public async Task BrowserTrack_CrossOriginWithPreflight_IsAllowedAndStored()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/t");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-retry-count");
        var answer = await Client.SendAsync(preflight);

        Assert.True(answer.IsSuccessStatusCode, $"preflight answered {(int)answer.StatusCode}");
        Assert.Equal("https://app.example.com", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", answer.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        var allowedHeaders = answer.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant();
        Assert.All(["authorization", "content-type", "x-retry-count"], h => Assert.Contains(h, allowedHeaders, StringComparison.Ordinal));
        Assert.Equal("true", answer.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        const string body = """
            {"timestamp":"2024-05-01T12:00:00.000Z","integrations":{},"type":"track","event":"Clicked CTA","properties":{},"context":{"page":{"path":"/","url":"https://app.example.com/"},"userAgent":"Mozilla/5.0","locale":"en-US","library":{"name":"analytics.js","version":"npm:next-1.84.1"}},"messageId":"ajs-next-1714564800000-3c2b1a09-8f7e-4d6c-9b5a-493827160544","anonymousId":"9b2f6a1e-0c4d-4e8f-a1b2-c3d4e5f60718","userId":null,"writeKey":"wk_test_123","sentAt":"2024-05-01T12:00:00.050Z","_metadata":{"bundled":["Segment.io"],"unbundled":[],"bundledIds":[]}}
            """;
        using var post = fixture.Relay.Post("/v1/t", body);
        post.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        post.Headers.Add("Origin", "https://app.example.com");
        var response = await Client.SendAsync(post);

        await response.AssertSuccessAsync();
        Assert.Equal("https://app.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var track = await StoredAsync("ajs-next-1714564800000-3c2b1a09-8f7e-4d6c-9b5a-493827160544");
        Assert.Equal(("track", null), (track.Type, track.UserId));
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 10, 450, DateTimeKind.Utc), track.Timestamp);
    }

    [SkippableFact]
    public async Task BrowserBatch_TextPlainWithSentAtOnEnvelope_IsStored()
    {
        const string body = """
            {"writeKey":"wk_test_123","batch":[{"type":"track","event":"A","anonymousId":"anon-tv10","messageId":"tv10-1","timestamp":"2024-05-01T12:00:04.000Z"},{"type":"page","name":"Home","anonymousId":"anon-tv10","messageId":"tv10-2"}],"sentAt":"2024-05-01T12:00:05.000Z"}
            """;
        using var request = fixture.Relay.Post("/v1/b", body);
        request.Content = new StringContent(body, Encoding.UTF8, "text/plain");

        await (await Client.SendAsync(request)).AssertSuccessAsync();

        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 9, 500, DateTimeKind.Utc), (await StoredAsync("tv10-1")).Timestamp);
        Assert.Equal("page", (await StoredAsync("tv10-2")).Type);
    }

    [SkippableFact]
    public async Task Webhook_ClassicSignedCall_IsStoredAndBadOrMissingSignaturesAre401()
    {
        const string body = """{"type":"track","event":"Item Purchased","userId":"user-42","messageId":"wh-msg-0001","timestamp":"2024-05-01T12:00:00.000Z","properties":{"plan":"pro"}}""";
        Assert.Equal(153, Encoding.UTF8.GetByteCount(body));

        await (await Client.SendAsync(Webhook(body, "0000000000000000000000000000000000000000"))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_signature");
        await (await Client.SendAsync(Webhook(body, null))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_signature");
        Assert.DoesNotContain(await fixture.Relay.MessagesAsync(), m => m.MessageId == "wh-msg-0001");

        await (await Client.SendAsync(Webhook(body, "9d8e9ad4a162192422ccaa392c6ce83de70669b5"))).AssertSuccessAsync();
        var track = await StoredAsync("wh-msg-0001");
        Assert.Equal(("webhook", "track"), (track.SourceId, track.Type));
    }

    [SkippableFact]
    public async Task Webhook_ActionsBatchSignedOnFirstElement_StoresEveryCall()
    {
        const string body = """[{"type":"track","event":"A","userId":"u1","messageId":"wh-b-1"},{"type":"identify","userId":"u1","traits":{"email":"u1@example.com"},"messageId":"wh-b-2"}]""";

        await (await Client.SendAsync(Webhook(body, "5d90530395f83456a7fca3c825cd2a4fcfae0de1"))).AssertSuccessAsync();

        Assert.Equal("track", (await StoredAsync("wh-b-1")).Type);
        Assert.Equal("identify", (await StoredAsync("wh-b-2")).Type);
    }

    [SkippableFact]
    public async Task Webhook_DeleteNotification_IsRecorded()
    {
        const string body = """{"type":"delete","userId":"019mr8mf4r","timestamp":"2012-12-02T00:30:08.276Z","messageId":"wh-delete-1"}""";
        var signature = WebhookSignature.Compute(RelayFixture.WebhookSecret, Encoding.UTF8.GetBytes(body));

        await (await Client.SendAsync(Webhook(body, signature))).AssertSuccessAsync();

        var delete = await StoredAsync("wh-delete-1");
        Assert.Equal(("delete", "019mr8mf4r", MessageStatus.Pending), (delete.Type, delete.UserId, delete.Status));
    }

    [SkippableFact]
    public async Task Delete_OnTheTrackingApi_IsNotACallType()
    {
        var response = await Client.SendAsync(fixture.Relay.Post("/v1/batch", """{"batch":[{"type":"delete","userId":"u","messageId":"not-webhook-delete"}]}"""));

        Assert.Equal("invalid_type", (await response.JsonAsync()).GetProperty("rejected")[0].GetProperty("code").GetString());
        Assert.Equal(MessageStatus.Invalid, (await StoredAsync("not-webhook-delete")).Status);
    }

    private static HttpRequestMessage Webhook(string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/segment/webhook") { Content = new StringContent(body, new UTF8Encoding(false), "application/json") };
        request.Headers.UserAgent.ParseAdd("Segment.io/1.0");
        if (signature is not null)
        {
            request.Headers.Add("X-Signature", signature);
        }

        return request;
    }

    private async Task<Message> StoredAsync(string messageId) =>
        Assert.Single(await fixture.Relay.MessagesAsync(), m => m.MessageId == messageId);

    internal static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
