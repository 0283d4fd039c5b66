using System.Net;
using System.Text;
using System.Text.Json;
using Userlist.Core.Storage;

namespace Userlist.Tests.Ingest;

/// <summary>The malformed and edge-case vectors M-1..M-26 of the Segment tracking API notes, with our decisions.</summary>
public sealed class MalformedRequestTests(RelayFixture.OnSqlite fixture) : IClassFixture<RelayFixture.OnSqlite>
{
    private readonly HttpClient client = fixture.Client;

    [Fact]
    public async Task Batch_TruncatedJson_Is400InvalidJsonAndStoresNothing()
    {
        var before = (await fixture.Relay.MessagesAsync()).Count;

        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", """{"batch":[{"type":"track","""));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        Assert.Equal("Invalid JSON", (await response.JsonAsync()).GetProperty("message").GetString());
        Assert.Equal(before, (await fixture.Relay.MessagesAsync()).Count);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("corrupt")]
    public async Task Batch_GzipHeaderOnNonGzipBody_Is400InvalidJson(string kind)
    {
        var json = """{"batch":[{"type":"track","event":"E","userId":"u","messageId":"m2"}]}""";
        var bytes = kind == "plain" ? Encoding.UTF8.GetBytes(json) : AcceptedTrafficTests.Gzip(json)[..20];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/b") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = new("Basic", "d2tfdGVzdF8xMjM6");

        await (await client.SendAsync(request)).AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task Track_WithoutAnyId_Is400AndKeptAsInvalid()
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/track", """{"event":"X","writeKey":"wk_test_123","messageId":"m3"}""", writeKey: null));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "no_user_anon_id");
        var stored = await StoredAsync("m3");
        Assert.Equal(MessageStatus.Invalid, stored.Status);
        Assert.StartsWith("no_user_anon_id", stored.StatusReason, StringComparison.Ordinal);
        Assert.DoesNotContain("wk_test_123", stored.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_WithOneCallMissingIds_StoresTheOthersAndListsTheRejected()
    {
        const string body = """{"batch":[{"type":"track","event":"A","userId":"u4","messageId":"m4-1"},{"type":"track","event":"B","messageId":"m4-2"},{"type":"track","event":"C","userId":"u4","messageId":"m4-3"}]}""";

        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.True(json.GetProperty("success").GetBoolean());
        var rejected = Assert.Single(json.GetProperty("rejected").EnumerateArray());
        Assert.Equal((1, "m4-2", "no_user_anon_id"),
            (rejected.GetProperty("index").GetInt32(), rejected.GetProperty("messageId").GetString(), rejected.GetProperty("code").GetString()));
        Assert.Equal(MessageStatus.Pending, (await StoredAsync("m4-1")).Status);
        Assert.Equal(MessageStatus.Invalid, (await StoredAsync("m4-2")).Status);
        Assert.Equal(MessageStatus.Pending, (await StoredAsync("m4-3")).Status);
    }

    [Fact]
    public async Task Track_Over32KB_Is400PayloadTooLarge()
    {
        var body = $$$"""{"event":"X","userId":"u","messageId":"m5","properties":{"blob":"{{{new string('x', 32_900)}}}"}}""";

        await (await client.SendAsync(fixture.Relay.Post("/v1/track", body))).AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
        Assert.DoesNotContain(await fixture.Relay.MessagesAsync(), m => m.MessageId == "m5");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Batch_Over500KBAfterDecompression_Is400PayloadTooLarge(bool gzip)
    {
        var calls = Enumerable.Range(0, 17).Select(i => $$$"""{"type":"track","event":"X","userId":"u","messageId":"m6-{{{i}}}","properties":{"blob":"{{{new string('x', 31_000)}}}"}}""");
        var body = $$"""{"batch":[{{string.Join(',', calls)}}]}""";
        Assert.True(body.Length > 512_000);
        using var request = fixture.Relay.Post("/v1/batch", body);
        if (gzip)
        {
            request.Content = new ByteArrayContent(AcceptedTrafficTests.Gzip(body));
            request.Content.Headers.ContentEncoding.Add("gzip");
            Assert.True(await request.Content.ReadAsByteArrayAsync() is { Length: < 10_000 });
        }

        await (await client.SendAsync(request)).AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
        Assert.DoesNotContain(await fixture.Relay.MessagesAsync(), m => m.MessageId.StartsWith("m6-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_GzipBomb_IsRefusedWithoutInflatingIt()
    {
        // 50 MB of zeros gzip to about 50 KB; the relay must stop inflating at its 500 KB limit.
        using var request = fixture.Relay.Post("/v1/batch", "");
        request.Content = new ByteArrayContent(AcceptedTrafficTests.Gzip(new string('0', 50_000_000)));
        request.Content.Headers.ContentEncoding.Add("gzip");

        await (await client.SendAsync(request)).AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
    }

    [Fact]
    public async Task Batch_TenMegabyteBody_IsRefusedAsTooLarge()
    {
        var body = "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"properties\":{\"blob\":\"" + new string('x', 10_000_000) + "\"}}]}";

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
    }

    [Fact]
    public async Task Batch_WithOneCallOver32KB_Is400PayloadTooLargeAndStoresNothing()
    {
        var body = $$$"""{"batch":[{"type":"track","event":"ok","userId":"u","messageId":"m7-1"},{"type":"track","event":"X","userId":"u","messageId":"m7-2","properties":{"blob":"{{{new string('x', 33_000)}}}"}}]}""";

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
        Assert.DoesNotContain(await fixture.Relay.MessagesAsync(), m => m.MessageId.StartsWith("m7-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Batch_Of2501Calls_Is400InvalidBatch()
    {
        var calls = Enumerable.Range(0, 2501).Select(i => $$"""{"type":"track","event":"E","userId":"u","messageId":"m8-{{i}}"}""");

        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", $$"""{"batch":[{{string.Join(',', calls)}}]}"""));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_batch");
    }

    [Fact]
    public async Task Batch_Of2500Calls_IsAllStored()
    {
        var calls = Enumerable.Range(0, 2500).Select(i => $$"""{"type":"track","event":"E","userId":"u","messageId":"m8b-{{i}}"}""");

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", $$"""{"batch":[{{string.Join(',', calls)}}]}"""))).AssertSuccessAsync();

        Assert.Equal(2500, (await fixture.Relay.MessagesAsync()).Count(m => m.MessageId.StartsWith("m8b-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Batch_WithoutAnyWriteKey_Is401()
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", """{"batch":[{"type":"track","event":"E","userId":"u","messageId":"m9"}]}""", writeKey: null));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
    }

    [Fact]
    public async Task Batch_WithWrongBasicKey_Is401EvenWhenTheBodyHasAGoodOne()
    {
        using var request = fixture.Relay.Post("/v1/batch", """{"writeKey":"wk_test_123","batch":[{"type":"track","event":"E","userId":"u","messageId":"m10"}]}""", writeKey: null);
        request.Headers.Authorization = new("Basic", "d3Jvbmdfa2V5Og==");

        await (await client.SendAsync(request)).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
        Assert.DoesNotContain(await fixture.Relay.MessagesAsync(), m => m.MessageId == "m10");
    }

    [Fact]
    public async Task Batch_WithUnknownKeyInBody_Is401()
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", """{"writeKey":"nope","batch":[{"type":"track","event":"E","userId":"u","messageId":"m10b"}]}""", writeKey: null));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_write_key");
    }

    [Theory]
    [InlineData("""{"type":"purchase","userId":"u","messageId":"m11"}""", "m11", "invalid_type")]
    [InlineData("""{"userId":"u","messageId":"m12"}""", "m12", "invalid_type")]
    [InlineData("""{"type":"track","userId":"u","messageId":"m16a"}""", "m16a", "event_not_defined")]
    [InlineData("""{"type":"track","event":42,"userId":"u","messageId":"m16b"}""", "m16b", "event_not_string")]
    [InlineData("""{"type":"track","event":"E","properties":"x","userId":"u","messageId":"m17a"}""", "m17a", "properties_not_object")]
    [InlineData("""{"type":"identify","traits":[1],"userId":"u","messageId":"m17b"}""", "m17b", "traits_not_object")]
    [InlineData("""{"type":"group","userId":"u","messageId":"m18"}""", "m18", "group_id_required")]
    [InlineData("""{"type":"identify","userId":{"a":1},"messageId":"m19b"}""", "m19b", "id_not_string")]
    [InlineData("""{"type":"identify","userId":"","messageId":"m19c"}""", "m19c", "id_not_string")]
    [InlineData("""{"type":"page","name":7,"userId":"u","messageId":"m19d"}""", "m19d", "name_not_string")]
    public async Task Batch_WithAnInvalidCall_Answers200AndRejectsThatCall(string call, string messageId, string code)
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", $$"""{"batch":[{{call}}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rejected = Assert.Single((await response.JsonAsync()).GetProperty("rejected").EnumerateArray());
        Assert.Equal(code, rejected.GetProperty("code").GetString());
        var stored = await StoredAsync(messageId);
        Assert.Equal(MessageStatus.Invalid, stored.Status);
        Assert.Equal(JsonDocument.Parse(call).RootElement.GetRawText(), stored.Payload);
    }

    [Fact]
    public async Task Track_WhoseBodySaysIdentify_IsStoredAsTrack()
    {
        await (await client.SendAsync(fixture.Relay.Post("/v1/track", """{"type":"identify","event":"E","userId":"u","messageId":"m13"}"""))).AssertSuccessAsync();
        await (await client.SendAsync(fixture.Relay.Post("/v1/track", """{"type":"identify","userId":"u","messageId":"m13b"}""")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "event_not_defined");

        var track = await StoredAsync("m13");
        Assert.Equal("track", track.Type);
        Assert.Equal("track", track.PayloadJson().GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""{"batch":[]}""", "empty_batch")]
    [InlineData("""{"batch":{}}""", "invalid_batch")]
    [InlineData("""{}""", "invalid_batch")]
    [InlineData("""[{"type":"track","event":"E","userId":"u"}]""", "invalid_batch")]
    public async Task Batch_WithoutABatchArray_Is400(string body, string code)
    {
        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertErrorAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Track_WithNumericIds_StoresThemAsStrings()
    {
        await (await client.SendAsync(fixture.Relay.Post("/v1/track", """{"event":"E","userId":12345,"messageId":"m19","context":{"groupId":77}}"""))).AssertSuccessAsync();

        var track = await StoredAsync("m19");
        Assert.Equal(("12345", "77"), (track.UserId, track.GroupId));
        Assert.Equal("12345", track.PayloadJson().GetProperty("userId").GetString());
    }

    [Fact]
    public async Task Batch_WithMessageIdOver100Characters_RejectsThatCallWithoutCrashing()
    {
        var longId = new string('m', 101);

        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", $$"""{"batch":[{"type":"track","event":"E","userId":"u-m20","messageId":"{{longId}}"}]}"""));

        var rejected = Assert.Single((await response.JsonAsync()).GetProperty("rejected").EnumerateArray());
        Assert.Equal("message_id_too_long", rejected.GetProperty("code").GetString());
        var stored = Assert.Single(await fixture.Relay.MessagesAsync(), m => m.UserId == "u-m20");
        Assert.Equal(MessageStatus.Invalid, stored.Status);
        Assert.Contains(longId, stored.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_PostedTwice_IsStoredOnce()
    {
        const string body = """{"batch":[{"type":"identify","userId":"u21","messageId":"m21-1"},{"type":"track","event":"E","userId":"u21","messageId":"m21-2"}]}""";

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();
        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();

        Assert.Equal(2, (await fixture.Relay.MessagesAsync()).Count(m => m.UserId == "u21"));
    }

    [Theory]
    [InlineData("GET", "/v1/batch")]
    [InlineData("GET", "/v1/track")]
    [InlineData("PUT", "/v1/b")]
    [InlineData("DELETE", "/v1/identify")]
    [InlineData("GET", "/segment/webhook")]
    public async Task IngestPath_WithAnotherMethod_Is405NeverARedirect(string method, string path)
    {
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/v1/batch/")]
    [InlineData("/v1/Batch")]
    [InlineData("/V1/BATCH")]
    public async Task Batch_AtTrailingSlashOrOtherCase_IsHandledWithoutRedirect(string path)
    {
        var messageId = $"m23-{path.GetHashCode():x}";

        await (await client.SendAsync(fixture.Relay.Post(path, $$"""{"batch":[{"type":"track","event":"E","userId":"u","messageId":"{{messageId}}"}]}"""))).AssertSuccessAsync();

        await StoredAsync(messageId);
    }

    [Fact]
    public async Task UnknownV1Path_Is404Json()
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/purchase", """{"userId":"u"}"""));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Track_WithUnparseableTimestamp_KeepsTheRawValueAndFallsBackToReceivedAt()
    {
        await (await client.SendAsync(fixture.Relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m24","timestamp":"yesterday at noon"}"""))).AssertSuccessAsync();

        var track = await StoredAsync("m24");
        Assert.Equal(RelayFixture.ReceivedAt.UtcDateTime, track.Timestamp);
        Assert.Equal("yesterday at noon", track.PayloadJson().GetProperty("originalTimestamp").GetString());
    }

    [Fact]
    public async Task Track_WithUnpaddedMonth_IsParsedLeniently()
    {
        await (await client.SendAsync(fixture.Relay.Post("/v1/track", """{"event":"E","userId":"u","messageId":"m24b","timestamp":"2015-2-02T00:30:08.276Z"}"""))).AssertSuccessAsync();

        Assert.Equal(new DateTime(2015, 2, 2, 0, 30, 8, 276, DateTimeKind.Utc), (await StoredAsync("m24b")).Timestamp);
    }

    [Fact]
    public async Task Batch_CallWithNullContext_GetsTheBatchContext()
    {
        const string body = """{"context":{"library":{"name":"analytics-go"}},"batch":[{"type":"track","event":"E","userId":"u","messageId":"m26","context":null}]}""";

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();

        var context = (await StoredAsync("m26")).PayloadJson().GetProperty("context");
        Assert.Equal("analytics-go", context.GetProperty("library").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Batch_ContextMerge_CallKeysWinOverBatchKeys()
    {
        const string body = """{"context":{"library":{"name":"batch"},"ip":"1.2.3.4"},"batch":[{"type":"track","event":"E","userId":"u","messageId":"m26b","context":{"library":{"name":"call"}}}]}""";

        await (await client.SendAsync(fixture.Relay.Post("/v1/batch", body))).AssertSuccessAsync();

        var context = (await StoredAsync("m26b")).PayloadJson().GetProperty("context");
        Assert.Equal("call", context.GetProperty("library").GetProperty("name").GetString());
        Assert.Equal("1.2.3.4", context.GetProperty("ip").GetString());
    }

    [Theory]
    [InlineData("""{"batch":[{"type":"track","event":"E","userId":"u","userId":"v","messageId":"dup"}]}""")]
    [InlineData("\"just a string\"")]
    [InlineData("")]
    public async Task Batch_WithDuplicateKeysOrNoObject_Is400(string body)
    {
        var response = await client.SendAsync(fixture.Relay.Post("/v1/batch", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Batch_WithByteOrderMark_IsAccepted()
    {
        using var request = fixture.Relay.Post("/v1/batch", "");
        request.Content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"batch":[{"type":"track","event":"E","userId":"u","messageId":"bom"}]}""")]);

        await (await client.SendAsync(request)).AssertSuccessAsync();

        await StoredAsync("bom");
    }

    private async Task<Message> StoredAsync(string messageId) =>
        Assert.Single(await fixture.Relay.MessagesAsync(), m => m.MessageId == messageId);
}
