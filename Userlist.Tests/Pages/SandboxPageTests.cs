using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Bunit;
using Microsoft.AspNetCore.Components;
using IngestService = Userlist.Core.Ingest.IngestService;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Pages.Sandbox;

namespace Userlist.Tests.Pages;

public sealed class SandboxPageTests
{
    [Theory]
    [InlineData("identify", "POST /users", "\"email\": \"ada@example.com\"")]
    [InlineData("track", "POST /events", "\"company\": \"company-1\"")]
    [InlineData("group", "POST /companies", "\"role\": \"admin\"")]
    public async Task Template_ShowsTheExactPushRequestWithoutStoringIt(string template, string request, string bodyPart)
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();

        page.ClickCurrent(() => page.Find($"button[data-testid=template-{template}]"));

        page.Until(() => Assert.Equal(request, page.Find("[data-testid=sandbox-request]").TextContent));
        Assert.Contains(bodyPart, page.Find("[data-testid=sandbox-body]").TextContent);
        Assert.False(page.Find("button[data-testid=sandbox-send]").HasAttribute("disabled"));
        Assert.Empty(await context.MessagesAsync());
    }

    [Fact]
    public async Task PageTemplate_SaysUserlistDoesNotTakePageCalls()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();

        page.ClickCurrent(() => page.Find("button[data-testid=template-page]"));

        page.Until(() => Assert.Contains("Skipped, Userlist does not take page calls", page.Find("[data-testid=sandbox-outcome]").TextContent));
    }

    [Theory]
    [InlineData("{\"type\": \"track\", ", "Not valid JSON")]
    [InlineData("[1, 2]", "A call is a JSON object")]
    [InlineData("{\"type\": \"track\", \"event\": \"E\"}", "no_user_anon_id: The call needs a userId or an anonymousId")]
    [InlineData("{\"type\": \"identify\", \"anonymousId\": \"a1\"}", "Rejected, identify needs a userId")]
    public async Task BadInput_ExplainsWhatIsWrongAndCannotBeSent(string json, string explanation)
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();

        page.InputCurrent("textarea[data-testid=sandbox-input]", json);

        page.Until(() => Assert.Contains(explanation, page.Find("[data-testid=sandbox-preview]").TextContent));
    }

    [Fact]
    public async Task InvalidJson_SaysWhatIsWrongInPlainWordsWithLineAndColumn()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();

        page.InputCurrent("textarea[data-testid=sandbox-input]", "{\n  \"type\": \"track\",\n  \"userId\": \"u1\",\n}");

        page.Until(() => Assert.Contains("Not valid JSON: There is a comma before a closing } or ]: remove it (line 4, column 1).", page.Find("[data-testid=sandbox-preview]").TextContent));
        Assert.DoesNotContain("BytePositionInLine", page.Markup);
        Assert.DoesNotContain("reader options", page.Markup);
    }

    [Fact]
    public async Task OpenedFromAStoredCall_StartsFromThatCall()
    {
        await using var context = new PageContext();
        var call = (await context.CallsAsync(Seed.Call("u-stored", MessageStatus.Rejected,
            payload: """{"type":"track","userId":"u-stored","event":"Plan Changed","messageId":"m9"}""")))[0];

        context.Get<NavigationManager>().NavigateTo($"/sandbox?from={call.Id}");
        var page = context.RenderPage<Sandbox>();

        page.Until(() => Assert.Equal("POST /events", page.Find("[data-testid=sandbox-request]").TextContent));
        Assert.Contains("Plan Changed", page.Find("[data-testid=sandbox-body]").TextContent);
    }

    [Fact]
    public async Task AnonymousTrack_SaysItWaitsForAnIdentity_OrGoesAsTheLinkedUser()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();
        const string Anonymous = """{"type": "track", "anonymousId": "anon-9", "event": "Viewed Pricing"}""";

        page.InputCurrent("textarea[data-testid=sandbox-input]", Anonymous);
        page.Until(() => Assert.Equal("It waits up to 24 hours for an identify or alias naming anonymous id anon-9, then goes to Userlist as that user; without one, it is Rejected.",
            page.Find("[data-testid=sandbox-identity]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=sandbox-request]"));

        await using (var db = await context.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync())
        {
            db.IdentityLinks.Add(new IdentityLink { AnonymousId = "anon-9", UserId = "user-42", LinkedByMessageRowId = 17, LinkedAt = DateTime.UtcNow, UserKnown = true });
            await db.SaveChangesAsync();
        }

        page.InputCurrent("textarea[data-testid=sandbox-input]", Anonymous + " ");
        page.Until(() => Assert.Equal("Anonymous id anon-9 is linked to user user-42 by call #17: it goes to Userlist as user-42.",
            page.Find("[data-testid=sandbox-identity]").TextContent));
        Assert.Equal("POST /events", page.Find("[data-testid=sandbox-request]").TextContent);
        Assert.Contains("\"user\": \"user-42\"", page.Find("[data-testid=sandbox-body]").TextContent);
        Assert.Empty(await context.MessagesAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("%3Cscript%3E")]
    [InlineData("-1")]
    public async Task OpenedFromABadLink_SaysSoAndStartsEmpty(string from)
    {
        await using var context = new PageContext();
        context.Get<NavigationManager>().NavigateTo($"/sandbox?from={from}");
        var page = context.RenderPage<Sandbox>();

        page.Until(() => Assert.Equal("The link's from= is not a call number; start from a template instead.", page.Find("[data-testid=load-error]").TextContent));
        Assert.Equal("", page.Find("textarea[data-testid=sandbox-input]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task TextPastTheIngestLimit_IsRefusedWithAMessageAndCannotBeSent()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Sandbox>();
        var editor = page.Find("textarea[data-testid=sandbox-input]");
        Assert.Equal("32769", editor.GetAttribute("maxlength"));

        page.InputCurrent("textarea[data-testid=sandbox-input]", LargeTrack(IngestService.MaxCallBytes + 1));

        page.Until(() => Assert.Contains("Too long: at most 32,768 characters", page.Find("textarea[data-testid=sandbox-input]").Closest(".mud-input-control")!.TextContent));
        Assert.Contains("A call may be at most 32,768 bytes, as at ingest.", page.Find("[data-testid=sandbox-problem]").TextContent);
        Assert.True(page.Find("button[data-testid=sandbox-send]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task OpenedFromAStoredCallNearTheLimit_OpensAndMapsIt()
    {
        await using var context = new PageContext();
        // Indented, these thousand short properties would pass the limit: the editor gets the call as stored.
        var properties = string.Join(",", Enumerable.Range(0, 1_000).Select(i => $"\"p{i}\":\"{new string('v', 20)}\""));
        var payload = """{"type":"track","userId":"u-big","event":"Large Export","messageId":"m-big","properties":{""" + properties + "}}";
        Assert.InRange(payload.Length, 28_000, IngestService.MaxCallBytes);
        var call = (await context.CallsAsync(Seed.Call("u-big", MessageStatus.Delivered, payload: payload)))[0];

        context.Get<NavigationManager>().NavigateTo($"/sandbox?from={call.Id}");
        var page = context.RenderPage<Sandbox>();

        page.Until(() => Assert.Equal("POST /events", page.Find("[data-testid=sandbox-request]").TextContent));
        Assert.Equal(payload, page.Find("textarea[data-testid=sandbox-input]").GetAttribute("value"));
    }

    /// <summary>A valid track call of exactly the given length, most of it one property.</summary>
    private static string LargeTrack(int length)
    {
        const string Start = "{\"type\":\"track\",\"userId\":\"u-large\",\"event\":\"Large Export\",\"properties\":{\"blob\":\"";
        const string End = "\"}}";
        return Start + new string('x', length - Start.Length - End.Length) + End;
    }

    [Fact]
    public async Task OpenedFromAMissingCall_SaysSo()
    {
        await using var context = new PageContext();
        context.Get<NavigationManager>().NavigateTo("/sandbox?from=77");
        var page = context.RenderPage<Sandbox>();

        page.Until(() => Assert.Contains("No call 77 is stored", page.Find("[data-testid=load-error]").TextContent));
    }
}
