using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Userlist.Dashboard.Components.Shared;
using Userlist.Dashboard.Operators;

namespace Userlist.Dashboard.Components.Pages.Operators;

public partial class Operators
{
    private IReadOnlyList<OperatorSummary>? operators;
    private string newEmail = "";
    private string newPassword = "";
    private string currentPassword = "";
    private string changedPassword = "";
    private string? me;
    private bool busy;

    [CascadingParameter]
    public required Task<AuthenticationState> Authentication { get; init; }

    protected override async Task OnInitializedAsync()
    {
        me = (await Authentication).User.Identity?.Name;
        operators = await Accounts.ListAsync(CancellationToken.None);
    }

    private async Task AddAsync()
    {
        if (TooLong(TextLimit.Address.Problem("Email", newEmail), TextLimit.Secret.Problem("Password", newPassword)))
        {
            return;
        }

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
        if (TooLong(TextLimit.Secret.Problem("Current password", currentPassword), TextLimit.Secret.Problem("New password", changedPassword)))
        {
            return;
        }

        busy = true;
        var me = (await Authentication).User.Identity?.Name ?? "";
        var errors = await Accounts.ChangePasswordAsync(me, currentPassword, changedPassword);
        busy = false;
        if (Report(errors, "Your password is changed"))
        {
            (currentPassword, changedPassword) = ("", "");
        }
    }

    private async Task RemoveAsync(string email)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Remove operator",
            $"Remove {email}? They can no longer sign in, and a page they have open closes within a minute.",
            yesText: $"Remove {email}",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        busy = true;
        var errors = await Accounts.RemoveAsync(email, await Authentication.NameAsync(), CancellationToken.None);
        busy = false;
        Report(errors, $"{email} is removed");
        operators = await Accounts.ListAsync(CancellationToken.None);
    }

    private async Task UnlockAsync(string email)
    {
        busy = true;
        var errors = await Accounts.UnlockAsync(email, await Authentication.NameAsync(), CancellationToken.None);
        busy = false;
        Report(errors, $"{email} can sign in again");
        operators = await Accounts.ListAsync(CancellationToken.None);
    }

    /// <summary>Says which fields are over their limit, if any: nothing is sent then.</summary>
    private bool TooLong(params string?[] problems) =>
        !Report([.. problems.OfType<string>()], success: null);

    private bool Report(IReadOnlyList<string> errors, string? success)
    {
        if (errors.Count == 0)
        {
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }

        Snackbar.Add(string.Join(" ", errors), Severity.Error);
        return false;
    }
}
