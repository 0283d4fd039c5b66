using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Userlist.Core.Storage;
using Userlist.Dashboard.Components.Shared;

namespace Userlist.Tests.Pages;

/// <summary>
/// The overview's line on which instance dispatches, as instances sharing a PostgreSQL database
/// show it (the role is this test's own: the election itself is tested with real processes in
/// MultiInstanceTests, whose overview pages say the same).
/// </summary>
public sealed class DispatchingInstanceTests
{
    [Fact]
    public async Task SharedDatabase_ThisInstanceDispatches_SaysDeliveryRunsHere()
    {
        await using var context = Context(new SharedRole { IsDispatcher = true, Dispatcher = "relay-a (pid 41)" });

        var line = context.Render<DispatchingInstance>();

        Assert.Equal("Delivery runs on this instance, relay-a (pid 41).", line.Find("[data-testid=dispatcher]").TextContent);
    }

    [Fact]
    public async Task SharedDatabase_AnotherInstanceDispatches_NamesIt()
    {
        await using var context = Context(new SharedRole { Dispatcher = "relay-b (pid 42)" });

        var line = context.Render<DispatchingInstance>();

        Assert.StartsWith("Delivery runs on relay-b (pid 42): another instance dispatches", line.Find("[data-testid=dispatcher]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedDatabase_TakingTheRoleWhileOpen_ShowsItAtOnce()
    {
        var role = new SharedRole();
        await using var context = Context(role);
        var line = context.Render<DispatchingInstance>();
        Assert.StartsWith("No instance dispatches at the moment", line.Find("[data-testid=dispatcher]").TextContent, StringComparison.Ordinal);

        role.Take("relay-a (pid 43)");

        line.WaitForAssertion(() => Assert.Equal("Delivery runs on this instance, relay-a (pid 43).", line.Find("[data-testid=dispatcher]").TextContent), RenderedPage.Patience);
    }

    private static BunitContext Context(SharedRole role)
    {
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddSingleton<IDispatcherRole>(role);
        return context;
    }

    /// <summary>An instance's role on a database other instances share.</summary>
    private sealed class SharedRole : IDispatcherRole
    {
        public bool IsDispatcher { get; set; }

        public bool IsShared => true;

        public string? Dispatcher { get; set; }

        public event Action<bool>? Changed;

        public event Action? CallsCommittedElsewhere
        {
            add { }
            remove { }
        }

        public void Take(string name)
        {
            (IsDispatcher, Dispatcher) = (true, name);
            Changed?.Invoke(true);
        }
    }
}
