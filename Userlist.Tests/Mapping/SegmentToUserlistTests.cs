using System.Text.Json;
using Userlist.Core.Mapping;

namespace Userlist.Tests.Mapping;

/// <summary>The mapping vectors of the Push API notes (6A/6B) with the design's decisions, and edge cases.</summary>
public sealed class SegmentToUserlistTests
{
    public static TheoryData<string, string, string, string> Requests => new()
    {
        // identify-basic: mapped traits are not repeated in properties
        { """{"type":"identify","userId":"userId123","messageId":"m-1","timestamp":"2019-03-21T11:12:54.735Z","traits":{"email":"john.doe@example.com","name":"John Doe","role":"Owner","createdAt":"2019-03-21T12:12:54.735+01:00"}}""",
          "POST", "/users", """{"identifier":"userId123","email":"john.doe@example.com","signed_up_at":"2019-03-21T12:12:54.735+01:00","properties":{"name":"John Doe","role":"Owner"}}""" },
        // identify-minimal and identify-no-traits: absent fields are omitted
        { """{"type":"identify","userId":"u-2","traits":{}}""", "POST", "/users", """{"identifier":"u-2","properties":{}}""" },
        { """{"type":"identify","userId":"u-3"}""", "POST", "/users", """{"identifier":"u-3"}""" },
        // created_at spelling, and a numeric createdAt as epoch seconds
        { """{"type":"identify","userId":"u-4","traits":{"created_at":"2024-01-02T03:04:05Z","plan":"pro"}}""", "POST", "/users", """{"identifier":"u-4","signed_up_at":"2024-01-02T03:04:05Z","properties":{"plan":"pro"}}""" },
        { """{"type":"identify","userId":"u-5","traits":{"createdAt":1714564800}}""", "POST", "/users", """{"identifier":"u-5","signed_up_at":"2024-05-01T12:00:00Z","properties":{}}""" },
        { """{"type":"identify","userId":"u-5b","traits":{"createdAt":1714564800.25}}""", "POST", "/users", """{"identifier":"u-5b","signed_up_at":"2024-05-01T12:00:00.25Z","properties":{}}""" },
        // nulls inside traits pass through; a null email is neither a field nor a property
        { """{"type":"identify","userId":"u-6","traits":{"email":null,"nickname":null}}""", "POST", "/users", """{"identifier":"u-6","properties":{"nickname":null}}""" },
        // unicode and deep nesting are passed through as sent (an emoji leaves as its JSON \u escape pair: the same string)
        { """{"type":"identify","userId":"ü-7","traits":{"name":"Zoë 🚀","deep":{"a":{"b":{"c":[1,{"d":true}]}}}}}""", "POST", "/users", """{"identifier":"ü-7","properties":{"name":"Zoë \uD83D\uDE80","deep":{"a":{"b":{"c":[1,{"d":true}]}}}}}""" },
        // track-basic, track-with-group, track without timestamp or properties
        { """{"type":"track","userId":"userId123","event":"Project created","properties":{"projectName":"Party Planning"},"timestamp":"2019-03-21T12:15:00.000Z"}""",
          "POST", "/events", """{"name":"Project created","user":"userId123","occurred_at":"2019-03-21T12:15:00.000Z","properties":{"projectName":"Party Planning"}}""" },
        { """{"type":"track","userId":"userId123","event":"Project created","properties":{"projectName":"Party Planning"},"context":{"groupId":"companyId123"},"timestamp":"2019-03-21T12:15:00.000Z"}""",
          "POST", "/events", """{"name":"Project created","user":"userId123","company":"companyId123","occurred_at":"2019-03-21T12:15:00.000Z","properties":{"projectName":"Party Planning"}}""" },
        { """{"type":"track","userId":"u-9","event":"Logged In"}""", "POST", "/events", """{"name":"Logged In","user":"u-9"}""" },
        // timestamps keep their offset; numeric ids are sent as strings
        { """{"type":"track","userId":"42","event":"E","context":{"groupId":7},"timestamp":"2024-05-01T05:00:10.3641976-07:00"}""", "POST", "/events", """{"name":"E","user":"42","company":"7","occurred_at":"2024-05-01T05:00:10.3641976-07:00"}""" },
        // group-basic and the relationship extension
        { """{"type":"group","userId":"userId123","groupId":"companyId123","traits":{"name":"Segment","industry":"Software","createdAt":"2019-01-01T00:00:00Z"}}""",
          "POST", "/companies", """{"identifier":"companyId123","name":"Segment","signed_up_at":"2019-01-01T00:00:00Z","properties":{"industry":"Software"},"relationships":[{"user":"userId123"}]}""" },
        { """{"type":"group","userId":"userId123","groupId":"companyId123","traits":{"name":"Segment"},"integrations":{"Userlist":{"extensions":{"relationship":{"properties":{"role":"owner"}}}}}}""",
          "POST", "/companies", """{"identifier":"companyId123","name":"Segment","properties":{},"relationships":[{"user":"userId123","properties":{"role":"owner"}}]}""" },
        { """{"type":"group","userId":"u","groupId":"g"}""", "POST", "/companies", """{"identifier":"g","relationships":[{"user":"u"}]}""" },
        // integrations: All off but Userlist on
        { """{"type":"track","userId":"u-1","event":"X","integrations":{"All":false,"Userlist":true}}""", "POST", "/events", """{"name":"X","user":"u-1"}""" },
        // a deletion request from Segment's webhook
        { """{"type":"delete","userId":"userId123"}""", "DELETE", "/users", """{"identifier":"userId123"}""" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Map_CallUserlistTakes_IsThisExactRequest(string call, string method, string path, string body)
    {
        var mapped = SegmentToUserlist.Map(call);

        Assert.Equal(MappingOutcome.Send, mapped.Outcome);
        Assert.Equal((method, path, body), (mapped.Request!.Method, mapped.Request.Path, mapped.Request.Body));
    }

    [Theory]
    [InlineData("""{"type":"identify","anonymousId":"anon-1","traits":{"email":"a@example.com"}}""", MappingOutcome.Rejected, "identify needs a userId")]
    [InlineData("""{"type":"track","anonymousId":"anon-1","event":"Project created","properties":{}}""", MappingOutcome.Rejected, SegmentToUserlist.AnonymousReason)]
    [InlineData("""{"type":"group","anonymousId":"anon-1","groupId":"companyId123","traits":{"name":"Segment"}}""", MappingOutcome.Rejected, SegmentToUserlist.AnonymousReason)]
    [InlineData("""{"type":"page","userId":"u-1","name":"Home"}""", MappingOutcome.Skipped, "Userlist does not take page calls")]
    [InlineData("""{"type":"screen","userId":"u-1","name":"Home"}""", MappingOutcome.Skipped, "Userlist does not take screen calls")]
    [InlineData("""{"type":"alias","userId":"u-1","previousId":"a"}""", MappingOutcome.Skipped, "Userlist does not take alias calls")]
    [InlineData("""{"type":"track","userId":"u-1","event":"X","integrations":{"Userlist":false}}""", MappingOutcome.Skipped, "turned off for Userlist in integrations")]
    [InlineData("""{"type":"track","userId":"u-1","event":"X","integrations":{"All":false}}""", MappingOutcome.Skipped, "turned off for Userlist in integrations")]
    [InlineData("""{"type":"identify","userId":"u-1","integrations":{"All":false,"Segment.io":true}}""", MappingOutcome.Skipped, "turned off for Userlist in integrations")]
    public void Map_CallWithNothingToSend_SaysWhy(string call, MappingOutcome outcome, string reason)
    {
        var mapped = SegmentToUserlist.Map(call);

        Assert.Equal((outcome, reason), (mapped.Outcome, mapped.Reason));
        Assert.Null(mapped.Request);
    }

    [Fact]
    public void Map_GroupWithUserlistOptionsObjectUnderAllFalse_IsSent()
    {
        var mapped = SegmentToUserlist.Map("""{"type":"group","userId":"u","groupId":"g","integrations":{"All":false,"Userlist":{"extensions":{}}}}""");

        Assert.Equal(MappingOutcome.Send, mapped.Outcome);
    }

    [Fact]
    public void Map_BodyOverUserlistsLimit_IsRejectedWithItsSize()
    {
        var call = JsonSerializer.Serialize(new { type = "identify", userId = "u", traits = new { blob = new string('x', 100_000) } });

        var mapped = SegmentToUserlist.Map(call);

        Assert.Equal(MappingOutcome.Rejected, mapped.Outcome);
        Assert.Contains("100,000", mapped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_BodyJustUnderTheLimit_IsSent()
    {
        var call = JsonSerializer.Serialize(new { type = "identify", userId = "u", traits = new { blob = new string('x', 99_900) } });

        Assert.Equal(MappingOutcome.Send, SegmentToUserlist.Map(call).Outcome);
    }

    [Fact]
    public void Map_SameCallTwice_GivesTheSameBody()
    {
        const string call = """{"type":"track","userId":"u","event":"E","properties":{"b":1,"a":2}}""";

        Assert.Equal(SegmentToUserlist.Map(call).Request!.Body, SegmentToUserlist.Map(call).Request!.Body);
    }
}
