using System.Net;
using System.Text.Json;
using Userlist.Core.Storage;

namespace Userlist.Tests.Ingest;

internal static class IngestTestExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task AssertSuccessAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"success":true}""", body);
    }

    public static async Task AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        Assert.False(json.GetProperty("success").GetBoolean());
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("message").GetString()));
        Assert.Equal(json.GetProperty("message").GetString(), json.GetProperty("error").GetString());
    }

    public static JsonElement PayloadJson(this Message message) => JsonDocument.Parse(message.Payload).RootElement.Clone();
}
