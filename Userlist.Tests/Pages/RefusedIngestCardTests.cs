using Bunit;
using Userlist.Core.Ingest;
using Userlist.Dashboard.Components.Pages.Home;
using SettingsPage = Userlist.Dashboard.Components.Pages.Settings.Settings;

namespace Userlist.Tests.Pages;

public sealed class RefusedIngestCardTests
{
    [Fact]
    public async Task Overview_NoRefusals_SaysSo()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Contains("None: every request had a valid write key or signature.", page.Find("[data-testid=no-refused]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Overview_ListsRefusalsByReasonAndKeysLastFour_FlushedOrNot()
    {
        await using var context = new PageContext();
        var refusals = context.Get<IngestRefusals>();
        refusals.Refused(IngestRefusals.WriteKeyReason, "wk_wrong_key_AbCd");
        refusals.Refused(IngestRefusals.WriteKeyReason, "wk_wrong_key_AbCd");
        refusals.Refused(IngestRefusals.SignatureReason, null);
        await refusals.FlushAsync(CancellationToken.None);
        refusals.Refused(IngestRefusals.WriteKeyReason, "wk_wrong_key_AbCd");

        var page = context.RenderPage<Home>();

        page.Until(() => Assert.Equal("4", page.Find("[data-testid=refused-ingest] h5").TextContent));
        var rows = page.FindAll("[data-testid=refused-row]").Select(r => r.TextContent.Trim()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.StartsWith("missing, unknown or revoked write key · key …AbCd · 3 · last", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("bad webhook signature · key (none) · 1 · last", StringComparison.Ordinal));
        Assert.DoesNotContain("wk_wrong_key", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_RevokedKeysRow_SaysWhenItWasLastRefused()
    {
        await using var context = new PageContext();
        var admin = context.Get<WriteKeyAdmin>();
        var key = await admin.CreateAsync("Old web app", PageContext.OperatorEmail, CancellationToken.None);
        var id = Assert.Single(await admin.ListAsync(CancellationToken.None)).Id;
        await admin.RevokeAsync(id, PageContext.OperatorEmail, CancellationToken.None);
        context.Get<IngestRefusals>().Refused(IngestRefusals.WriteKeyReason, key);

        var page = context.RenderPage<SettingsPage>();

        page.Until(() => Assert.Contains(" · last refused ", page.Find("[data-testid=write-keys]").TextContent, StringComparison.Ordinal));
    }
}
