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
using Userlist.Core.Configuration;
using Userlist.Core.Storage;
using Userlist.Dashboard;
using Userlist.Dashboard.Components.Shared;
using Userlist.Dashboard.Operators;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Pages;

/// <summary>
/// bUnit with the relay's real services on a real SQLite file (its background services not
/// running), signed in as an operator. Pooling is off so a test can lock the file against the
/// page's queries and watch its loading state, or, with a short <c>lockWaitSeconds</c>, its error.
/// </summary>
public sealed class PageContext : BunitContext
{
    public const string OperatorEmail = "ops@example.com";

    private readonly TemporaryFolder folder = new();

    /// <param name="lockWaitSeconds">How long a query waits for a locked database before it fails.</param>
    public PageContext(bool unreadableDatabase = false, bool operators = false, int lockWaitSeconds = 30)
    {
        // A folder where the database file should be: every query fails as with a broken disk.
        var database = unreadableDatabase ? folder.Path : DatabasePath;
        // Default Timeout too: EF's commands retry a busy database for as long as it says (30 s
        // unless set), whatever Storage:WriteTimeoutSeconds says.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Userlist"] = $"Data Source={database};Pooling=False;Default Timeout={lockWaitSeconds}",
            ["Storage:WriteTimeoutSeconds"] = $"{lockWaitSeconds}",
            ["Userlist:PushApiUrl"] = "http://127.0.0.1:9/",
        }).Build();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddLogging();
        Services.AddRelayCore(configuration);
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddSingleton<ISecretProtector, DataProtectionSecrets>();
        Services.AddSingleton(new BackupSources(DatabasePath, Path.Combine(folder.Path, "keys"), Path.Combine(folder.Path, "jobs.db")));
        Services.AddSingleton<IBackgroundJobClient>(_ => new BackgroundJobClient(new SQLiteStorage(Path.Combine(folder.Path, "jobs.db"), new SQLiteStorageOptions())));
        Services.AddMudServices();
        Services.AddScoped<CircuitConnection>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        AddAuthorization().SetAuthorized(OperatorEmail);
        if (operators)
        {
            Services.AddRelayOperators(StorageProvider.Sqlite);
        }

        if (!unreadableDatabase)
        {
            using var db = Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContext();
            db.Database.Migrate();
            if (operators)
            {
                using var scope = Services.CreateScope();
                scope.ServiceProvider.GetRequiredService<OperatorsDbContext>().Database.Migrate();
            }

            Services.GetRequiredService<SettingsOverrides>().Reload();
        }
    }

    public string DatabasePath => Path.Combine(folder.Path, "relay.db");

    /// <summary>Where MudBlazor shows dialogs, once a page is rendered.</summary>
    public IRenderedComponent<MudDialogProvider>? Dialogs { get; private set; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Renders the page inside the providers MudBlazor's popovers and dialogs need.</summary>
    public IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
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

/// <summary>Waiting and clicking on pages that render again as their data arrives.</summary>
public static class RenderedPage
{
    /// <summary>Long enough for a loaded CI machine; a passing wait returns as soon as it holds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static void Until<T>(this IRenderedComponent<T> page, Action assertion)
        where T : Microsoft.AspNetCore.Components.IComponent => page.WaitForAssertion(assertion, Patience);

    /// <summary>Clicks the element found now; if a render replaced it first, finds it again.</summary>
    public static void ClickCurrent<T>(this IRenderedComponent<T> page, Func<AngleSharp.Dom.IElement> element)
        where T : Microsoft.AspNetCore.Components.IComponent => page.OnCurrent(() => element().Click());

    /// <summary>Types into the input found now (a change event, as when it loses focus).</summary>
    public static void ChangeCurrent<T, TValue>(this IRenderedComponent<T> page, string selector, TValue value)
        where T : Microsoft.AspNetCore.Components.IComponent => page.OnCurrent(() => page.Find(selector).Change(value));

    /// <summary>Types into the input found now, keystroke by keystroke (an input event, for fields that follow typing).</summary>
    public static void InputCurrent<T>(this IRenderedComponent<T> page, string selector, string value)
        where T : Microsoft.AspNetCore.Components.IComponent => page.OnCurrent(() => page.Find(selector).Input(value));

    private static void OnCurrent<T>(this IRenderedComponent<T> page, Action act)
        where T : Microsoft.AspNetCore.Components.IComponent => page.WaitForAssertion(() =>
        {
            try
            {
                act();
            }
            catch (Bunit.Rendering.UnknownEventHandlerIdException exception)
            {
                Assert.Fail($"The element was re-rendered before the click: {exception.Message}");
            }
        }, Patience);
}
