using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Userlist.Dashboard.Components.Shared;

/// <summary>
/// Tells a page when its browser connection came back after dropping. What the browser sent
/// meanwhile, or sent too large for the connection (the drop itself), never reached the relay: a
/// page whose fields may now show more than the relay has can render them again from its own state.
/// </summary>
public sealed class CircuitConnection : CircuitHandler
{
    private bool dropped;

    /// <summary>Raised on the circuit's connection thread; handlers use InvokeAsync to render.</summary>
    public event Action? Restored;

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        dropped = true;
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (dropped)
        {
            dropped = false;
            Restored?.Invoke();
        }

        return Task.CompletedTask;
    }
}
