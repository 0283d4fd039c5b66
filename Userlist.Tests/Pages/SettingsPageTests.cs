using Bunit;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Delivery;
using Userlist.Core.Ingest;
using Userlist.Tests.Infrastructure;
using SettingsPage = Userlist.Dashboard.Components.Pages.Settings.Settings;

namespace Userlist.Tests.Pages;

public sealed class SettingsPageTests
{
    [Fact]
    public async Task Empty_ShowsConfigurationValuesNoKeysAndNoChanges()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();

        page.Until(() => Assert.Equal("1000", page.Find("input[data-testid=setting-rate]").GetAttribute("value")));
        Assert.Equal("http://127.0.0.1:9/", page.Find("input[data-testid=setting-url]").GetAttribute("value"));
        Assert.Contains("No key is set", page.Find("[data-testid=key-hint]").TextContent);
        Assert.Equal("No keys created here yet.", page.Find("[data-testid=no-write-keys]").TextContent);
        Assert.Equal("Nothing changed from the dashboard yet.", page.Find("[data-testid=no-audit]").TextContent);
        Assert.True(page.Find("button[data-testid=save-settings]").HasAttribute("disabled"), "nothing to save yet");
    }

    [Fact]
    public async Task SaveRate_AppliesAtOnceAndIsAudited()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.Equal("1000", page.Find("input[data-testid=setting-rate]").GetAttribute("value")));

        page.InputCurrent("input[data-testid=setting-rate]", "600");
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));

        page.Until(() => Assert.Contains("Userlist:RequestsPerMinute: 1000 → 600", page.Find("[data-testid=audit-log]").TextContent));
        Assert.Contains(PageContext.OperatorEmail, page.Find("[data-testid=audit-log]").TextContent);
        Assert.Equal(600, context.Get<IOptionsMonitor<UserlistOptions>>().CurrentValue.RequestsPerMinute);
    }

    [Theory]
    [InlineData("setting-skip-unchanged", "0: send all", "0", "Delivery:SkipUnchangedHours: 24 → 0")]
    [InlineData("setting-identity-wait", "0: reject at once", "72", "Delivery:IdentityWaitHours: 24 → 72")]
    public async Task SaveHoursOfDelivery_AppliesAtOnceAndIsAudited(string field, string zeroMeans, string value, string audited)
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.Equal("24", page.Find($"input[data-testid={field}]").GetAttribute("value")));
        Assert.Contains(zeroMeans, page.Find($"input[data-testid={field}]").Closest(".mud-input-control")!.TextContent);

        page.InputCurrent($"input[data-testid={field}]", value);
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));

        page.Until(() => Assert.Contains(audited, page.Find("[data-testid=audit-log]").TextContent));
        var options = context.Get<IOptionsMonitor<DeliveryOptions>>().CurrentValue;
        Assert.Equal(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), field == "setting-skip-unchanged" ? options.SkipUnchangedHours : options.IdentityWaitHours);
    }

    [Fact]
    public async Task TurnCoalescingOff_AppliesAtOnceAndIsAuditedThenOnAgain()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.True(page.Find("input[data-testid=setting-coalesce]").HasAttribute("checked")));
        Assert.True(context.Get<IOptionsMonitor<DeliveryOptions>>().CurrentValue.Coalesce);

        page.ChangeCurrent("input[data-testid=setting-coalesce]", false);
        page.Until(() => Assert.Contains("Off: one request per call", page.Find("input[data-testid=setting-coalesce]").Closest("label")!.TextContent));
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));

        page.Until(() => Assert.Contains("Delivery:Coalesce: true → false", page.Find("[data-testid=audit-log]").TextContent));
        Assert.False(context.Get<IOptionsMonitor<DeliveryOptions>>().CurrentValue.Coalesce);
        Assert.False(page.Find("input[data-testid=setting-coalesce]").HasAttribute("checked"), "saved off, it stays off");

        page.ChangeCurrent("input[data-testid=setting-coalesce]", true);
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));

        page.Until(() => Assert.Contains("Delivery:Coalesce: false → true", page.Find("[data-testid=audit-log]").TextContent));
        Assert.True(context.Get<IOptionsMonitor<DeliveryOptions>>().CurrentValue.Coalesce);
    }

    [Fact]
    public async Task CoalesceNotABoolean_IsRefusedNamingTheKeyAndNothingChanges()
    {
        await using var context = new PageContext();
        var overrides = context.Get<SettingsOverrides>();

        var problems = await overrides.SaveAsync(new Dictionary<string, string?> { [SettingKeys.Coalesce] = "sometimes" }, PageContext.OperatorEmail, CancellationToken.None);

        Assert.Contains(SettingKeys.Coalesce, Assert.Single(problems));
        Assert.Empty(overrides.Current);
        Assert.Empty(await context.AuditAsync());
        Assert.True(context.Get<IOptionsMonitor<DeliveryOptions>>().CurrentValue.Coalesce);
    }

    [Theory]
    [InlineData("setting-skip-unchanged", "9000", "Delivery:SkipUnchangedHours must be between 0 and 8760")]
    [InlineData("setting-identity-wait", "-1", "Delivery:IdentityWaitHours must be between 0 and 8760")]
    [InlineData("setting-identity-wait", "8761", "Delivery:IdentityWaitHours must be between 0 and 8760")]
    [InlineData("setting-identity-wait", "a day", "Delivery:IdentityWaitHours")]
    [InlineData("setting-rate", "0", "Userlist:RequestsPerMinute must be between 1 and 1,000,000")]
    [InlineData("setting-rate", "fast", "Userlist:RequestsPerMinute")]
    [InlineData("setting-url", "push.userlist.com", "Userlist:PushApiUrl must be an absolute http(s) URL")]
    [InlineData("setting-max-delay", "1", "Delivery:RetryMaxDelaySeconds must be at least Delivery:RetryInitialDelaySeconds")]
    public async Task BadValue_IsRefusedWithTheReasonAndNothingChanges(string field, string value, string reason)
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.NotNull(page.Find($"input[data-testid={field}]")));

        page.InputCurrent($"input[data-testid={field}]", value);
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));

        page.Until(() => Assert.Contains(reason, page.Find("[data-testid=setting-problem]").TextContent));
        Assert.Empty(await context.AuditAsync());
        Assert.Empty(context.Get<SettingsOverrides>().Current);
    }

    [Fact]
    public async Task PushApiUrlPastItsMaximum_SaysSoAndSaveRefusesIt()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.NotNull(page.Find("input[data-testid=setting-url]")));
        Assert.Equal("2049", page.Find("input[data-testid=setting-url]").GetAttribute("maxlength"));

        page.InputCurrent("input[data-testid=setting-url]", "https://push.userlist.com/" + new string('p', 20_000));

        page.Until(() => Assert.Contains("Too long: at most 2,048 characters", page.Find("input[data-testid=setting-url]").Closest(".mud-input-control")!.TextContent));
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));
        page.Until(() => Assert.Equal("Userlist:PushApiUrl: Too long: at most 2,048 characters", page.Find("[data-testid=setting-problem]").TextContent));
        Assert.Empty(await context.AuditAsync());
        Assert.Empty(context.Get<SettingsOverrides>().Current);
    }

    [Theory]
    [InlineData("write-key-name", 200)]
    [InlineData("new-key", 512)]
    [InlineData("setting-rate", 20)]
    [InlineData("alert-webhook-url", 2_048)]
    [InlineData("alert-email-to", 2_000)]
    public async Task TextField_HasAMaximum_AndSaysSoWhenPassed(string field, int maximum)
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.NotNull(page.Find($"input[data-testid={field}]")));
        Assert.Equal($"{maximum + 1}", page.Find($"input[data-testid={field}]").GetAttribute("maxlength"));

        page.InputCurrent($"input[data-testid={field}]", new string('x', maximum + 1));

        page.Until(() => Assert.Contains($"Too long: at most {maximum:N0} characters", page.Find($"input[data-testid={field}]").Closest(".mud-input-control")!.TextContent));
    }

    [Fact]
    public async Task WriteKeyNamePastItsMaximum_IsNotCreated()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.NotNull(page.Find("input[data-testid=write-key-name]")));

        page.InputCurrent("input[data-testid=write-key-name]", new string('n', 201));
        page.ClickCurrent(() => page.Find("button[data-testid=create-write-key]"));

        page.Until(() => Assert.Contains("Not created: the name is too long, at most 200 characters",
            context.Get<MudBlazor.ISnackbar>().ShownSnackbars.Select(snackbar => snackbar.Message)));
        Assert.Empty(page.FindAll("[data-testid=created-write-key]"));
        Assert.Empty(await context.AuditAsync());
    }

    [Fact]
    public async Task CreateWriteKey_ShowsItOnceWithASnippetThenRevokeStopsIt()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        page.Until(() => Assert.NotNull(page.Find("input[data-testid=write-key-name]")));

        page.InputCurrent("input[data-testid=write-key-name]", "Marketing site");
        page.ClickCurrent(() => page.Find("button[data-testid=create-write-key]"));

        page.Until(() => Assert.NotNull(page.Find("[data-testid=write-key-value]")));
        var key = page.Find("[data-testid=write-key-value]").TextContent;
        Assert.Equal(32, key.Length);
        Assert.Contains($"writeKey: '{key}'", page.Find("[data-testid=snippet]").TextContent);
        Assert.Contains("host: 'http://localhost'", page.Find("[data-testid=snippet]").TextContent);
        Assert.Contains($"…{key[^4..]}", page.Find("[data-testid=write-keys]").TextContent);
        Assert.NotNull(await context.Get<WriteKeyDirectory>().FindAsync(key, CancellationToken.None));

        page.ClickCurrent(() => page.Find("button[data-testid=revoke]"));

        page.Until(() => Assert.Contains("revoked", page.Find("[data-testid=write-keys]").TextContent));
        Assert.DoesNotContain(key, page.Markup);
        Assert.Null(await context.Get<WriteKeyDirectory>().FindAsync(key, CancellationToken.None));
        var audit = (await context.AuditAsync()).Select(a => a.Detail).ToList();
        Assert.Equal([$"Created write key \"Marketing site\" (…{key[^4..]})", $"Revoked write key \"Marketing site\" (…{key[^4..]})"], audit);
    }

    [Fact]
    public async Task PauseAndResume_HoldDeliveryAndAreAudited()
    {
        await using var context = new PageContext();
        await context.Get<DeliverySettings>().SavePushKeyAsync("push-secret-key-7890", PageContext.OperatorEmail, CancellationToken.None);
        var page = context.RenderPage<SettingsPage>();

        page.ClickCurrent(() => page.Find("button[data-testid=pause]"));

        page.Until(() => Assert.StartsWith($"Paused by {PageContext.OperatorEmail}", page.Find("[data-testid=pause-state]").TextContent));
        Assert.Equal(DeliveryBlock.Paused, (await context.Get<DeliverySettings>().SendingKeyAsync(CancellationToken.None)).Block);

        page.ClickCurrent(() => page.Find("button[data-testid=resume]"));

        page.Until(() => Assert.Equal("Running", page.Find("[data-testid=pause-state]").TextContent));
        Assert.Equal(DeliveryBlock.None, (await context.Get<DeliverySettings>().SendingKeyAsync(CancellationToken.None)).Block);
        Assert.Equal(["Set the Push API key (••••••••7890)", "Paused delivery", "Resumed delivery"], (await context.AuditAsync()).Select(a => a.Detail));
    }

    [Fact]
    public async Task TestConnection_AfterTheUrlChanges_AsksTheNewUrlInsteadOfRepeatingTheOldRefusal()
    {
        await using var userlist = await FakeUserlist.StartAsync();
        await using var context = new PageContext();
        var delivery = context.Get<DeliverySettings>();
        await delivery.SavePushKeyAsync("push-secret-key-7890", PageContext.OperatorEmail, CancellationToken.None);
        await delivery.MarkRefusedAsync("push-secret-key-7890", CancellationToken.None);
        var page = context.RenderPage<SettingsPage>();
        page.ClickCurrent(() => page.Find("button[data-testid=test-connection]"));
        page.Until(() => Assert.Contains("Invalid key: Userlist at http://127.0.0.1:9/ refused", page.Find("[data-testid=connection-result]").TextContent));

        page.InputCurrent("input[data-testid=setting-url]", userlist.Url.ToString());
        page.ClickCurrent(() => page.Find("button[data-testid=save-settings]"));
        page.Until(() => Assert.Contains("Userlist:PushApiUrl", page.Find("[data-testid=audit-log]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=connection-result]"));
        page.ClickCurrent(() => page.Find("button[data-testid=test-connection]"));

        page.Until(() => Assert.StartsWith("Valid key", page.Find("[data-testid=connection-result]").TextContent.Trim()));
        Assert.Equal("/users", Assert.Single(userlist.Requests).Path);
        Assert.Equal(DeliveryBlock.None, (await delivery.SendingKeyAsync(CancellationToken.None)).Block);
    }

    [Fact]
    public async Task SavePushKey_ShowsOnlyItsLastFourCharacters()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();

        page.InputCurrent("input[data-testid=new-key]", "push-secret-key-1234");
        page.ClickCurrent(() => page.Find("button[data-testid=save-key]"));

        page.Until(() => Assert.Contains("••••••••1234", page.Find("[data-testid=key-hint]").TextContent));
        Assert.DoesNotContain("push-secret-key-1234", page.Markup);
        Assert.DoesNotContain("push-secret-key-1234", string.Join(" ", (await context.AuditAsync()).Select(a => a.Detail)));
    }

    [Fact]
    public async Task Loading_ShowsProgressUntilTheDatabaseAnswers()
    {
        await using var context = new PageContext();
        IRenderedComponent<SettingsPage> page;
        using (new ExclusiveLock(context.DatabasePath))
        {
            page = context.RenderPage<SettingsPage>();
            Assert.NotNull(page.Find("[data-testid=loading]"));
        }

        page.Until(() => Assert.NotNull(page.Find("input[data-testid=setting-rate]")));
    }

    [Fact]
    public async Task DatabaseUnreadable_ShowsTheError()
    {
        await using var context = new PageContext(unreadableDatabase: true);
        var page = context.RenderPage<SettingsPage>();

        page.Until(() => Assert.Contains("Could not read the settings", page.Find("[data-testid=load-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=loading]"));
    }
}
