using System.Text.Json;
using System.Text.Json.Nodes;
using Userlist.Core.Segment;

namespace Userlist.Tests.Segment;

public sealed class JsonSyntaxTests
{
    [Theory]
    [InlineData("{\"type\": \"track\",}", "There is a comma before a closing } or ]: remove it (line 1, column 18).")]
    [InlineData("{\n  \"type\": 'track'\n}", "Strings and property names take double quotes (\"), not single quotes (line 2, column 11).")]
    [InlineData("{\"type\": \"track\", ", "The JSON ends too early: a {, [ or \" is not closed (line 1, column 19).")]
    [InlineData("{\"type\": \"track\" \"userId\": \"u1\"}", "Expected a comma or a closing } or ], not \" (line 1, column 18).")]
    [InlineData("{type: \"track\"}", "Expected a property name in double quotes, not type (line 1, column 2).")]
    [InlineData("{\"név\": \"é\", x}", "Expected a property name in double quotes, not x (line 1, column 14).")]
    [InlineData("{\"type\": track}", "Expected a value, not track: text in double quotes, a number, true, false, null, an object or an array (line 1, column 10).")]
    [InlineData("{\"a\": 1, \"a\": 2}", "A property name appears twice in the same object.")]
    public void Describe_SaysWhatIsWrongAndWhere_WithoutTheParsersWording(string json, string expected)
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }));

        var described = JsonSyntax.Describe(json, exception);

        Assert.Equal(expected, described);
        Assert.DoesNotContain("BytePositionInLine", described);
    }
}
