using Microsoft.JSInterop;
using MudBlazor;

namespace Userlist.Dashboard.Components.Shared;

public static class Clipboard
{
    /// <summary>Copies the text in the operator's browser and says whether it worked.</summary>
    public static async Task CopyAsync(IJSRuntime js, ISnackbar snackbar, string text, string what)
    {
        try
        {
            await js.InvokeVoidAsync("navigator.clipboard.writeText", text);
            snackbar.Add($"{char.ToUpperInvariant(what[0])}{what[1..]} copied", Severity.Success);
        }
        catch (JSException)
        {
            // Browsers refuse the clipboard outside a secure context (plain http on another host).
            snackbar.Add($"The browser refused the clipboard; select the {what} on the page instead", Severity.Warning);
        }
    }
}
