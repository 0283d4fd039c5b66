using System.IO.Compression;
using System.Net;
using System.Text;
using Userlist.Core.Storage;

namespace Userlist.Tests.Ingest;

/// <summary>
/// Hostile and broken requests, each with the status and error code the README documents. Every
/// one is answered in Segment's JSON shape (never a 500, never a page), nothing of a refused
/// request is stored, and the relay keeps serving good calls after all of them.
/// </summary>
public abstract class HostileInputCorpusTests(RelayFixture fixture)
{
    public sealed class OnSqlite(RelayFixture.OnSqlite fixture) : HostileInputCorpusTests(fixture), IClassFixture<RelayFixture.OnSqlite>;

    public sealed class OnPostgres(RelayFixture.OnPostgres fixture) : HostileInputCorpusTests(fixture), IClassFixture<RelayFixture.OnPostgres>;

    private const string Key = "Basic d2tfdGVzdF8xMjM6"; // wk_test_123 as the Basic user name

    public static TheoryData<string> Names => [.. Corpus.Select(c => c.Name)];

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public async Task HostileRequest_GetsItsDocumentedAnswer(string name)
    {
        var hostile = Corpus.Single(c => c.Name == name);
        var before = (await fixture.Relay.MessagesAsync()).Count;
        using var request = hostile.Request();

        var response = await fixture.Client.SendAsync(request);

        if (hostile.Code is null)
        {
            Assert.True(response.StatusCode == hostile.Status, $"{name}: expected {(int)hostile.Status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            await response.AssertErrorAsync(hostile.Status, hostile.Code);
        }

        var stored = (await fixture.Relay.MessagesAsync()).Count - before;
        Assert.True(stored == hostile.Stored, $"{name}: stored {stored} calls, expected {hostile.Stored}");
    }

    [SkippableFact]
    public async Task FiftyMegabyteBody_IsRefusedAfterReadingLittleOfIt()
    {
        var body = new CountingStream(50 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/batch") { Content = new StreamContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", Key);

        var response = await fixture.Client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "payload_too_large");
        Assert.True(body.Consumed < 5 * 1024 * 1024, $"the relay read {body.Consumed:N0} bytes of a 50 MB body");
    }

    [SkippableFact]
    public async Task MixedBatch_StoresTheGoodCallsAndListsEveryBadOne()
    {
        var response = await fixture.Client.SendAsync(fixture.Relay.Post("/v1/batch", """
            {"batch":[
              {"type":"identify","userId":"good-1","messageId":"mixed-good-1"},
              {"type":"track","userId":"u","messageId":"mixed-no-event"},
              42,
              {"type":"bogus","userId":"u","messageId":"mixed-bogus"},
              {"type":"track","event":"E","userId":{"id":1},"messageId":"mixed-object-id"},
              {"type":"group","userId":"u","messageId":"mixed-no-group"},
              {"type":"track","event":"Signed Up","anonymousId":"anon-1","messageId":"mixed-good-2"}]}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rejected = (await response.JsonAsync()).GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("index").GetInt32(), r.GetProperty("code").GetString())).ToList();
        Assert.Equal([(1, "event_not_defined"), (2, "invalid_call"), (3, "invalid_type"), (4, "id_not_string"), (5, "group_id_required")], rejected);
        var messages = await fixture.Relay.MessagesAsync();
        Assert.Equal(MessageStatus.Pending, messages.Single(m => m.MessageId == "mixed-good-1").Status);
        Assert.Equal(MessageStatus.Pending, messages.Single(m => m.MessageId == "mixed-good-2").Status);
        Assert.Equal(MessageStatus.Invalid, messages.Single(m => m.MessageId == "mixed-bogus").Status);
    }

    [SkippableFact]
    public async Task AfterTheWholeCorpus_GoodCallsAreStillStored()
    {
        foreach (var hostile in Corpus)
        {
            using var request = hostile.Request();
            await fixture.Client.SendAsync(request);
        }

        await (await fixture.Client.SendAsync(fixture.Relay.Post("/v1/identify", """{"userId":"still-fine","messageId":"after-corpus"}""")))
            .AssertSuccessAsync();
        Assert.Contains(await fixture.Relay.MessagesAsync(), m => m.MessageId == "after-corpus");
    }

    private static readonly Hostile[] Corpus =
    [
        // Broken JSON: 400 invalid_json, nothing stored.
        Json("truncated batch", "/v1/batch", """{"batch":[{"type":"track","""),
        Json("empty body", "/v1/batch", ""),
        Json("whitespace only", "/v1/track", "   \n\t "),
        Json("bare word", "/v1/track", "nul"),
        Json("single quotes", "/v1/batch", "{'batch':[]}"),
        Json("trailing comma", "/v1/batch", """{"batch":[],}"""),
        Json("comment", "/v1/track", """/* hi */ {"userId":"u","event":"E"}"""),
        Json("NaN", "/v1/track", """{"userId":"u","event":"E","properties":{"x":NaN}}"""),
        Json("Infinity", "/v1/track", """{"userId":"u","event":"E","properties":{"x":Infinity}}"""),
        Json("leading zero", "/v1/track", """{"userId":"u","event":"E","properties":{"x":01}}"""),
        Json("hex number", "/v1/track", """{"userId":"u","event":"E","properties":{"x":0x10}}"""),
        Json("unquoted key", "/v1/track", """{userId:"u","event":"E"}"""),
        Json("two documents", "/v1/track", """{"userId":"u","event":"E"}{"userId":"v","event":"E"}"""),
        Json("raw control character", "/v1/track", "{\"userId\":\"a\u0001b\",\"event\":\"E\"}"),
        Json("raw newline in string", "/v1/track", "{\"userId\":\"a\nb\",\"event\":\"E\"}"),
        Json("bad escape", "/v1/track", """{"userId":"a\qb","event":"E"}"""),
        Json("short unicode escape", "/v1/track", """{"userId":"\u12","event":"E"}"""),
        Json("unclosed string", "/v1/track", """{"userId":"u,"event":"E"}"""),
        Json("duplicate keys", "/v1/track", """{"userId":"a","userId":"b","event":"E"}"""),
        Json("duplicate keys in a batch call", "/v1/batch", """{"batch":[{"type":"track","event":"E","event":"F","userId":"u"}]}"""),
        Json("10,000-deep arrays", "/v1/track", """{"userId":"u","event":"E","properties":{"x":""" + new string('[', 10_000) + new string(']', 10_000) + "}}"),
        Json("10,000-deep objects", "/v1/track", """{"userId":"u","event":"E","properties":""" + string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000) + "}"),
        Bytes("invalid UTF-8", "/v1/track", [.. "{\"userId\":\""u8, 0xC3, 0x28, .. "\",\"event\":\"E\"}"u8], HttpStatusCode.BadRequest, "invalid_json"),
        Bytes("overlong UTF-8", "/v1/track", [.. "{\"userId\":\""u8, 0xC0, 0xAF, .. "\",\"event\":\"E\"}"u8], HttpStatusCode.BadRequest, "invalid_json"),
        Bytes("UTF-16 body", "/v1/track", Encoding.Unicode.GetBytes("""{"userId":"u","event":"E"}"""), HttpStatusCode.BadRequest, "invalid_json"),
        Bytes("gzip header on plain JSON", "/v1/batch", """{"batch":[{"type":"track","event":"E","userId":"u"}]}"""u8.ToArray(), HttpStatusCode.BadRequest, "invalid_json", gzipHeader: true),
        Bytes("form body", "/v1/track", "userId=u&event=E"u8.ToArray(), HttpStatusCode.BadRequest, "invalid_json", contentType: "application/x-www-form-urlencoded"),

        // Sizes: 400 payload_too_large or invalid_batch.
        Bytes("gzip bomb (10 MB of zeros in 10 KB)", "/v1/batch", GzipOf(new byte[10 * 1024 * 1024]), HttpStatusCode.BadRequest, "payload_too_large", gzipHeader: true),
        Bytes("gzip of a 1 MB batch", "/v1/batch", GzipOf(Encoding.UTF8.GetBytes("""{"batch":[""" + string.Join(",", Enumerable.Repeat("""{"type":"track","event":"E","userId":"u"}""", 25_000)) + "]}")), HttpStatusCode.BadRequest, "payload_too_large", gzipHeader: true),
        Json("600 KB body", "/v1/track", $$$"""{"userId":"u","event":"E","properties":{"x":"{{{new string('x', 600_000)}}}"}}""", "payload_too_large"),
        Json("33 KB call", "/v1/track", $$$"""{"userId":"u","event":"E","properties":{"x":"{{{new string('x', 33_000)}}}"}}""", "payload_too_large"),
        Json("2,501 calls in a batch", "/v1/batch", """{"batch":[""" + string.Join(",", Enumerable.Repeat("{}", 2_501)) + "]}", "invalid_batch"),

        // The envelope.
        Json("batch body that is an array", "/v1/batch", """[{"type":"track","event":"E","userId":"u"}]""", "invalid_batch"),
        Json("batch that is an object", "/v1/batch", """{"batch":{"type":"track"}}""", "invalid_batch"),
        Json("batch missing", "/v1/batch", """{"calls":[]}""", "invalid_batch"),
        Json("batch null", "/v1/import", """{"batch":null}""", "invalid_batch"),
        Json("batch empty", "/v1/b", """{"batch":[]}""", "empty_batch"),
        Json("single call that is an array", "/v1/track", """[{"userId":"u","event":"E"}]""", "invalid_call"),
        Json("single call that is a string", "/v1/identify", "\"user-1\"", "invalid_call"),
        Json("single call that is a number", "/v1/identify", "42", "invalid_call"),
        Json("single call that is null", "/v1/identify", "null", "invalid_call"),

        // Wrong types in one call: 400 with the call's code, kept as Invalid for the operator.
        Invalid("track without event", "/v1/track", """{"userId":"u"}""", "event_not_defined"),
        Invalid("event as number", "/v1/track", """{"userId":"u","event":42}""", "event_not_string"),
        Invalid("event as object", "/v1/track", """{"userId":"u","event":{"name":"E"}}""", "event_not_string"),
        Invalid("no ids", "/v1/track", """{"event":"E"}""", "no_user_anon_id"),
        Invalid("empty userId", "/v1/identify", """{"userId":""}""", "id_not_string"),
        Invalid("userId as object", "/v1/identify", """{"userId":{"id":1}}""", "id_not_string"),
        Invalid("userId as array", "/v1/identify", """{"userId":["u"]}""", "id_not_string"),
        Invalid("userId as boolean", "/v1/identify", """{"userId":true}""", "id_not_string"),
        Invalid("anonymousId as object", "/v1/identify", """{"anonymousId":{}}""", "id_not_string"),
        Invalid("groupId as array", "/v1/group", """{"userId":"u","groupId":[1]}""", "group_id_not_string"),
        Invalid("group without groupId", "/v1/group", """{"userId":"u"}""", "group_id_required"),
        Invalid("alias without userId", "/v1/alias", """{"anonymousId":"a","previousId":"p"}""", "id_required"),
        Invalid("context as string", "/v1/track", """{"userId":"u","event":"E","context":"web"}""", "context_not_object"),
        Invalid("integrations as array", "/v1/track", """{"userId":"u","event":"E","integrations":["Userlist"]}""", "integrations_not_object"),
        Invalid("properties as array", "/v1/track", """{"userId":"u","event":"E","properties":[1,2]}""", "properties_not_object"),
        Invalid("traits as string", "/v1/identify", """{"userId":"u","traits":"vip"}""", "traits_not_object"),
        Invalid("page name as number", "/v1/page", """{"userId":"u","name":404}""", "name_not_string"),
        Invalid("messageId as object", "/v1/track", """{"userId":"u","event":"E","messageId":{"id":1}}""", "message_id_not_string"),
        Invalid("messageId of 101 characters", "/v1/track", $$"""{"userId":"u","event":"E","messageId":"{{new string('m', 101)}}"}""", "message_id_too_long"),
        Invalid("unknown type in a batch", "/v1/batch", """{"batch":[{"type":"bogus","userId":"u"}]}""", null, HttpStatusCode.OK),

        // Odd but valid: accepted and stored as sent.
        Accepted("huge exponent", "/v1/track", """{"userId":"u","event":"E","properties":{"x":1e999999}}"""),
        Accepted("100-digit integer", "/v1/track", $$$"""{"userId":"u","event":"E","properties":{"x":{{{new string('9', 100)}}}}}"""),
        Accepted("numeric userId", "/v1/identify", """{"userId":123456789012345678901234567890}"""),
        Accepted("escaped NUL and controls in strings", "/v1/track", """{"userId":"u","event":"a\u0000b\u001fc"}"""),
        Accepted("script tags in strings", "/v1/track", """{"userId":"<script>alert(1)</script>","event":"<img src=x onerror=alert(1)>"}"""),
        Accepted("timestamp that is not a date", "/v1/track", """{"userId":"u","event":"E","timestamp":"yesterday"}"""),
        Accepted("timestamp as number", "/v1/track", """{"userId":"u","event":"E","timestamp":1700000000}"""),
        Accepted("byte order mark", "/v1/track", "\uFEFF{\"userId\":\"u\",\"event\":\"E\"}"),
        Accepted("text/plain content type", "/v1/track", """{"userId":"u","event":"E"}""", contentType: "text/plain"),
        Accepted("10,000-character event name", "/v1/track", $$"""{"userId":"u","event":"{{new string('e', 10_000)}}"}"""),

        // Auth: 401, nothing read or stored.
        Auth("no write key", """{"userId":"u","event":"E"}""", null),
        Auth("unknown write key", """{"userId":"u","event":"E"}""", "Basic " + Convert.ToBase64String("nope:"u8)),
        Auth("Basic that is not base64", """{"userId":"u","event":"E"}""", "Basic !!!not-base64!!!"),
        Auth("Bearer scheme", """{"userId":"u","event":"E"}""", "Bearer wk_test_123"),
        Auth("empty Basic user", """{"userId":"u","event":"E"}""", "Basic " + Convert.ToBase64String(":wk_test_123"u8)),
        Auth("wrong key in the body", """{"userId":"u","event":"E","writeKey":"nope"}""", null),
        Auth("body key as a number", """{"userId":"u","event":"E","writeKey":12345}""", null),
        new("webhook without a signature", HttpMethod.Post, "/segment/webhook", """{"type":"track","userId":"u","event":"E"}"""u8.ToArray(), HttpStatusCode.Unauthorized, "invalid_signature", 0, Key),
        new("webhook with a wrong signature", HttpMethod.Post, "/segment/webhook", """{"type":"track","userId":"u","event":"E"}"""u8.ToArray(), HttpStatusCode.Unauthorized, "invalid_signature", 0, Key, Signature: "0123456789abcdef0123456789abcdef01234567"),

        // Paths and methods.
        new("GET on batch", HttpMethod.Get, "/v1/batch", [], HttpStatusCode.MethodNotAllowed, "method_not_allowed", 0, Key),
        new("PUT on track", HttpMethod.Put, "/v1/track", """{"userId":"u","event":"E"}"""u8.ToArray(), HttpStatusCode.MethodNotAllowed, "method_not_allowed", 0, Key),
        new("DELETE on the webhook", HttpMethod.Delete, "/segment/webhook", [], HttpStatusCode.MethodNotAllowed, "method_not_allowed", 0, Key),
        new("unknown call type path", HttpMethod.Post, "/v1/purchase", """{"userId":"u"}"""u8.ToArray(), HttpStatusCode.NotFound, "not_found", 0, Key),
        new("path traversal under v1", HttpMethod.Post, "/v1/../../etc/passwd", """{}"""u8.ToArray(), HttpStatusCode.Redirect, null, 0, Key),
        new("unknown version", HttpMethod.Post, "/v2/batch", """{"batch":[]}"""u8.ToArray(), HttpStatusCode.Redirect, null, 0, Key),
    ];

    private static Hostile Json(string name, string path, string body, string code = "invalid_json") =>
        new(name, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), HttpStatusCode.BadRequest, code, 0, Key);

    private static Hostile Bytes(string name, string path, byte[] body, HttpStatusCode status, string code, bool gzipHeader = false, string? contentType = null) =>
        new(name, HttpMethod.Post, path, body, status, code, 0, Key, gzipHeader, contentType);

    private static Hostile Invalid(string name, string path, string body, string? code, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        new(name, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), status, code, 1, Key);

    private static Hostile Accepted(string name, string path, string body, string? contentType = null) =>
        new(name, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), HttpStatusCode.OK, null, 1, Key, ContentType: contentType);

    private static Hostile Auth(string name, string body, string? authorization) =>
        new(name, HttpMethod.Post, "/v1/track", Encoding.UTF8.GetBytes(body), HttpStatusCode.Unauthorized, "invalid_write_key", 0, authorization);

    private static byte[] GzipOf(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private sealed record Hostile(
        string Name, HttpMethod Method, string Path, byte[] Body, HttpStatusCode Status, string? Code, int Stored, string? Authorization,
        bool GzipHeader = false, string? ContentType = null, string? Signature = null)
    {
        public HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(Method, Path);
            if (Method != HttpMethod.Get && Method != HttpMethod.Delete)
            {
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }

                if (GzipHeader)
                {
                    request.Content.Headers.ContentEncoding.Add("gzip");
                }
            }

            if (Authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", Authorization);
            }

            if (Signature is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Signature", Signature);
            }

            return request;
        }
    }

    /// <summary>A body of the given size made up as it is read, counting what the server took.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        public long Consumed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => Consumed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Consumed);
            Array.Fill(buffer, (byte)'x', offset, n);
            Consumed += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
