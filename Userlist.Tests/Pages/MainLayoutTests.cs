using Bunit;
using Microsoft.AspNetCore.Components;
using Userlist.Dashboard.Components.Layout;

namespace Userlist.Tests.Pages;

public sealed class MainLayoutTests
{
    [Fact]
    public async Task PageThatThrows_ShowsTheErrorInItsPlace_AndTheNextPageRendersAgain()
    {
        await using var context = new PageContext();
        var layout = context.Render<MainLayout>(p => p.Add(x => x.Body, Page<Throwing>()));

        layout.Until(() => Assert.Contains("This page stopped on an error", layout.Find("[data-testid=page-error]").TextContent));
        Assert.NotNull(layout.Find("[data-testid=nav-events]"));

        layout.Render(p => p.Add(x => x.Body, Page<Working>()));

        layout.Until(() => Assert.Equal("working", layout.Find("[data-testid=working]").TextContent));
        Assert.Empty(layout.FindAll("[data-testid=page-error]"));
    }

    private static RenderFragment Page<T>()
        where T : IComponent => builder =>
    {
        builder.OpenComponent<T>(0);
        builder.CloseComponent();
    };

    private sealed class Throwing : ComponentBase
    {
        protected override void OnInitialized() => throw new InvalidOperationException("A page's bug");
    }

    private sealed class Working : ComponentBase
    {
        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "p");
            builder.AddAttribute(1, "data-testid", "working");
            builder.AddContent(2, "working");
            builder.CloseElement();
        }
    }
}
