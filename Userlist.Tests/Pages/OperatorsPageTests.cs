using Bunit;
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

    private static string SnackbarText(PageContext context) =>
        string.Join(" ", context.Get<MudBlazor.ISnackbar>().ShownSnackbars.Select(s => s.Message));

    private static async Task<PageContext> WithOperatorsAsync()
    {
        var context = new PageContext(operators: true);
        Assert.Empty(await context.Get<OperatorAccounts>().AddAsync(PageContext.OperatorEmail, "the-first-operator-password"));
        return context;
    }
}
