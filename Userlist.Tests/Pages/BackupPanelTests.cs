using Bunit;
using Userlist.Core.Storage;
using SettingsPage = Userlist.Dashboard.Components.Pages.Settings.Settings;

namespace Userlist.Tests.Pages;

/// <summary>"Back up now" on the Settings page.</summary>
public sealed class BackupPanelTests
{
    [Fact]
    public async Task BackUpNow_ShowsThePathAndSizeAndIsAudited()
    {
        await using var context = new PageContext();
        var page = context.RenderPage<SettingsPage>();
        var backups = context.Get<BackupService>().Folder;
        page.Until(() => Assert.Equal(backups, page.Find("[data-testid=backup-folder]").TextContent));

        page.ClickCurrent(() => page.Find("button[data-testid=backup-now]"));

        page.Until(() => Assert.NotNull(page.Find("[data-testid=backup-result]")));
        var folder = Assert.Single(Directory.GetDirectories(backups));
        Assert.Matches(@"^userlist-\d{8}-\d{6}Z$", Path.GetFileName(folder));
        Assert.True(File.Exists(Path.Combine(folder, "relay.db")), "the database is in the backup");
        var size = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        var shown = $"Backed up to {folder} ({new BackupCopy(folder, [], size).Size})";
        Assert.Equal(shown, page.Find("[data-testid=backup-result]").TextContent);
        page.Until(() => Assert.Contains(shown, page.Find("[data-testid=audit-log]").TextContent));
        Assert.Equal(("Backup", PageContext.OperatorEmail), (await context.AuditAsync()).Select(a => (a.Action, a.Operator)).Single());
    }

    [Fact]
    public async Task BackUpNow_FolderCannotBeMade_ShowsWhyAndRecordsNothing()
    {
        await using var context = new PageContext();
        var backups = context.Get<BackupService>().Folder;
        await File.WriteAllTextAsync(backups, "a file where the backups folder should be");
        var page = context.RenderPage<SettingsPage>();

        page.ClickCurrent(() => page.Find("button[data-testid=backup-now]"));

        page.Until(() => Assert.StartsWith("Backup failed: ", page.Find("[data-testid=backup-error]").TextContent));
        Assert.Contains(backups, page.Find("[data-testid=backup-error]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=backup-result]"));
        Assert.Empty(await context.AuditAsync());
    }
}
