using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OperatorsPage = Userlist.Dashboard.Components.Pages.Operators.Operators;
using Userlist.Dashboard.Operators;

namespace Userlist.Tests.Pages;

public sealed class OperatorsPageTests
{
    [Fact]
    public async Task AddOperator_ListsThemAndRefusesAWeakPasswordWithTheReason()
    {
        await using var context = await WithOperatorsAsync();
        var page = context.RenderPage<OperatorsPage>();
        page.Until(() => Assert.Contains(PageContext.OperatorEmail, page.Find("[data-testid=operators]").TextContent));

        page.ChangeCurrent("input[data-testid=new-email]", "second@example.com");
        page.ChangeCurrent("input[data-testid=new-password]", "short");
        page.ClickCurrent(() => page.Find("button[data-testid=add-operator]"));

        page.Until(() => Assert.Contains("at least 10 characters", SnackbarText(context)));
        Assert.DoesNotContain("second@example.com", page.Find("[data-testid=operators]").TextContent);

        page.ChangeCurrent("input[data-testid=new-password]", "a-long-enough-password");
        page.ClickCurrent(() => page.Find("button[data-testid=add-operator]"));

        page.Until(() => Assert.Contains("second@example.com", page.Find("[data-testid=operators]").TextContent));
    }

    [Fact]
    public async Task Remove_AnotherOperator_AfterConfirming_IsGoneAndAudited_YourselfHasNoRemove()
    {
        await using var context = await WithOperatorsAsync();
        Assert.Empty(await context.Get<OperatorAccounts>().AddAsync("second@example.com", "a-long-enough-password"));
        var page = context.RenderPage<OperatorsPage>();
        page.Until(() => Assert.Equal(2, page.FindAll("[data-testid=operator-row]").Count));
        var mine = page.FindAll("[data-testid=operator-row]").Single(r => r.TextContent.Contains(PageContext.OperatorEmail, StringComparison.Ordinal));
        Assert.Empty(mine.QuerySelectorAll("[data-testid=remove-operator]"));
        Assert.Contains("you", mine.QuerySelector("[data-testid=you]")!.TextContent);

        page.ClickCurrent(() => page.Find("button[data-testid=remove-operator]"));
        var dialogs = context.Dialogs!;
        dialogs.WaitForElement("button:contains('Remove second@example.com')", RenderedPage.Patience).Click();

        page.Until(() => Assert.DoesNotContain("second@example.com", page.Find("[data-testid=operators]").TextContent));
        Assert.Contains("second@example.com is removed", SnackbarText(context));
        Assert.Equal([PageContext.OperatorEmail], (await context.Get<OperatorAccounts>().ListAsync(CancellationToken.None)).Select(o => o.Email));
        var audit = Assert.Single(await context.AuditAsync());
        Assert.Equal((PageContext.OperatorEmail, "Removed operator second@example.com"), (audit.Operator, audit.Detail));
    }

    [Fact]
    public async Task Remove_Cancelled_KeepsTheOperator()
    {
        await using var context = await WithOperatorsAsync();
        Assert.Empty(await context.Get<OperatorAccounts>().AddAsync("second@example.com", "a-long-enough-password"));
        var page = context.RenderPage<OperatorsPage>();
        page.Until(() => Assert.Equal(2, page.FindAll("[data-testid=operator-row]").Count));

        page.ClickCurrent(() => page.Find("button[data-testid=remove-operator]"));
        var dialogs = context.Dialogs!;
        dialogs.WaitForElement("button:contains('Cancel')", RenderedPage.Patience).Click();

        dialogs.Until(() => Assert.DoesNotContain("Remove second@example.com", dialogs.Markup));
        Assert.Equal(2, (await context.Get<OperatorAccounts>().ListAsync(CancellationToken.None)).Count);
        Assert.Empty(await context.AuditAsync());
    }

    [Fact]
    public async Task Unlock_LockedOperator_ShowsThemActiveAndIsAudited()
    {
        await using var context = await WithOperatorsAsync();
        Assert.Empty(await context.Get<OperatorAccounts>().AddAsync("second@example.com", "a-long-enough-password"));
        await using (var scope = context.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync("second@example.com"))!, DateTimeOffset.UtcNow.AddMinutes(15));
        }

        var page = context.RenderPage<OperatorsPage>();
        page.Until(() => Assert.Contains("locked until", page.Find("[data-testid=operators]").TextContent));
        Assert.Single(page.FindAll("button[data-testid=unlock-operator]"));

        page.ClickCurrent(() => page.Find("button[data-testid=unlock-operator]"));

        page.Until(() => Assert.DoesNotContain("locked until", page.Find("[data-testid=operators]").TextContent));
        Assert.Empty(page.FindAll("button[data-testid=unlock-operator]"));
        Assert.Contains("second@example.com can sign in again", SnackbarText(context));
        var audit = Assert.Single(await context.AuditAsync());
        Assert.Equal((PageContext.OperatorEmail, "Unlocked operator second@example.com"), (audit.Operator, audit.Detail));
    }

    [Fact]
    public async Task AddOperator_WithAnEmailPastItsMaximum_SaysSoAndAddsNoOne()
    {
        await using var context = await WithOperatorsAsync();
        var page = context.RenderPage<OperatorsPage>();
        page.Until(() => Assert.Contains(PageContext.OperatorEmail, page.Find("[data-testid=operators]").TextContent));
        Assert.Equal("257", page.Find("input[data-testid=new-email]").GetAttribute("maxlength"));
        var before = page.FindAll("[data-testid=operator-row]").Count;

        page.ChangeCurrent("input[data-testid=new-email]", new string('a', 300) + "@example.com");
        page.ChangeCurrent("input[data-testid=new-password]", "long enough password");
        page.ClickCurrent(() => page.Find("button[data-testid=add-operator]"));

        page.Until(() => Assert.Contains("Email: Too long: at most 256 characters", SnackbarText(context)));
        Assert.Contains("Too long: at most 256 characters", page.Find("input[data-testid=new-email]").Closest(".mud-input-control")!.TextContent);
        Assert.Equal(before, page.FindAll("[data-testid=operator-row]").Count);
    }

    private static string SnackbarText(PageContext context) =>
        string.Join(" ", context.Get<MudBlazor.ISnackbar>().ShownSnackbars.Select(s => s.Message));

    private static async Task<PageContext> WithOperatorsAsync()
    {
        var context = new PageContext(operators: true);
        Assert.Empty(await context.Get<OperatorAccounts>().AddAsync(PageContext.OperatorEmail, "the-first-operator-password"));
        return context;
    }
}
