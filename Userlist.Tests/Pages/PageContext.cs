using Bunit;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Userlist.Core;
using Userlist.Core.Settings;
using Userlist.Core.Storage;
using Userlist.Dashboard;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Pages;

/// <summary>
/// bUnit with the relay's real services on a real SQLite file (its background services not
/// running), signed in as an operator. Pooling is off so a test can lock the file against the
/// page's queries and watch its loading state.
/// </summary>
public sealed class PageContext : BunitContext
{
    public const string OperatorEmail = "ops@example.com";

    private readonly TemporaryFolder folder = new();

    public PageContext(bool unreadableDatabase = false)
    {
        // A folder where the database file should be: every query fails as with a broken disk.
        var database = unreadableDatabase ? folder.Path : DatabasePath;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Userlist"] = $"Data Source={database};Pooling=False",
            ["Storage:WriteTimeoutSeconds"] = "30",
            ["Userlist:PushApiUrl"] = "http://127.0.0.1:9/",
        }).Build();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddLogging();
        Services.AddRelayCore();
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddSingleton<ISecretProtector, DataProtectionSecrets>();
        Services.AddSingleton<IBackgroundJobClient>(_ => new BackgroundJobClient(new SQLiteStorage(Path.Combine(folder.Path, "jobs.db"), new SQLiteStorageOptions())));
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        AddAuthorization().SetAuthorized(OperatorEmail);
        if (!unreadableDatabase)
        {
            using var db = Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContext();
            db.Database.Migrate();
            Services.GetRequiredService<SettingsOverrides>().Reload();
        }
    }

    public string DatabasePath => Path.Combine(folder.Path, "relay.db");

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Renders the page inside the providers MudBlazor's popovers and dialogs need.</summary>
    public IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        return parameters is null ? Render<TPage>() : Render(parameters);
    }

    public async Task<List<Message>> MessagesAsync()
    {
        await using var db = await Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.Messages.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    public async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await Get<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.AuditLog.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    /// <summary>MudBlazor's services dispose only asynchronously: use <c>await using</c>.</summary>
    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        folder.Dispose();
    }
}
