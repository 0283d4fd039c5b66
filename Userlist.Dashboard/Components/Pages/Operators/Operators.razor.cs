using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Userlist.Dashboard.Operators;

namespace Userlist.Dashboard.Components.Pages.Operators;

public partial class Operators
{
    private IReadOnlyList<OperatorSummary>? operators;
    private string newEmail = "";
    private string newPassword = "";
    private string currentPassword = "";
    private string changedPassword = "";
    private bool busy;

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    protected override async Task OnInitializedAsync() => operators = await Accounts.ListAsync(CancellationToken.None);

    private async Task AddAsync()
    {
        busy = true;
        var errors = await Accounts.AddAsync(newEmail.Trim(), newPassword);
        busy = false;
        if (Report(errors, $"{newEmail.Trim()} can now sign in"))
        {
            (newEmail, newPassword) = ("", "");
            operators = await Accounts.ListAsync(CancellationToken.None);
        }
    }

    private async Task ChangePasswordAsync()
    {
        busy = true;
        var me = (await Authentication).User.Identity?.Name ?? "";
        var errors = await Accounts.ChangePasswordAsync(me, currentPassword, changedPassword);
        busy = false;
        if (Report(errors, "Your password is changed"))
        {
            (currentPassword, changedPassword) = ("", "");
        }
    }

    private bool Report(IReadOnlyList<string> errors, string success)
    {
        if (errors.Count == 0)
        {
            Snackbar.Add(success, Severity.Success);
            return true;
        }

        Snackbar.Add(string.Join(" ", errors), Severity.Error);
        return false;
    }
}
