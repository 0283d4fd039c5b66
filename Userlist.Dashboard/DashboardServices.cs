using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Userlist.Core;
using Userlist.Core.Configuration;
using Userlist.Core.Ingest;
using Userlist.Dashboard.Components.Shared;
using Userlist.Dashboard.Jobs;
using Userlist.Dashboard.Operators;
using Userlist.Dashboard.Operators.Postgres;
using Userlist.Dashboard.Ingest;
using Userlist.Dashboard.Operations;

namespace Userlist.Dashboard;

public static class DashboardServices
{
    /// <summary>Everything the web host needs: the relay's core, ingest CORS, Blazor and MudBlazor.</summary>
    public static WebApplicationBuilder AddRelayDashboard(this WebApplicationBuilder builder)
    {
        builder.AddRootConfiguration();
        // Serve MudBlazor's and the app's static assets from the build output in every environment.
        builder.WebHost.UseStaticWebAssets();

        var storage = StorageOptions.ProviderFrom(builder.Configuration);
        builder.Services.AddRelayCore(builder.Configuration);
        builder.Services.AddIngestRateLimit();
        builder.Services.AddRelayJobs(storage);
        builder.Services.AddRelayOperators(storage);
        // Metrics exported with OpenTelemetry (Prometheus at /metrics, OTLP when configured) unless Metrics:Enabled is false.
        builder.Services.AddRelayMetrics(builder.Configuration);
        builder.Services.AddSingleton<ISecretProtector, DataProtectionSecrets>();
        var keyRing = builder.Services.AddDataProtection().SetApplicationName("Userlist Relay");
        if (storage == StorageProvider.Postgres)
        {
            // In the database, so that every instance decrypts the stored Push API key and accepts every sign-in cookie.
            keyRing.PersistKeysToDbContext<PostgresOperatorsDbContext>();
        }
        else
        {
            builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<StorageOptions>>((keys, options) =>
                // The keys that encrypt stored secrets live next to the database, so a backup copies both; owner-only, as the database.
                keys.XmlRepository = new OwnerOnlyKeyFiles(DataFiles.KeysFolder(options.Value)));
            builder.Services.AddSingleton(provider => DataFiles.BackupSources(provider.GetRequiredService<IOptions<StorageOptions>>().Value));
        }

        builder.Services.AddCors(cors => cors.AddPolicy(IngestEndpoints.CorsPolicy, policy => policy
            // Browser analytics.js posts from the customer's own site, with credentials allowed.
            .SetIsOriginAllowed(_ => true)
            .AllowCredentials()
            .WithMethods("POST")
            .WithHeaders("Content-Type", "Authorization", "X-Retry-Count")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));

        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = CircuitMessageBytes);
        // A page learns that its connection dropped and came back, so it can show what the relay really has.
        builder.Services.AddScoped<CircuitConnection>();
        builder.Services.AddScoped<CircuitHandler>(services => services.GetRequiredService<CircuitConnection>());
        // Toasts at the bottom right, clear of the app bar and of the buttons at the top of each page.
        builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        return builder;
    }

    /// <summary>
    /// The largest message a browser may send the circuit: room for the Sandbox editor holding a
    /// call as large as ingest takes. Each keystroke sends the editor's whole text twice (the input
    /// event's value and the field's value), each JSON-escaped, which at worst doubles a valid call
    /// (every character a quote, a backslash or a line break): 4 x 32 KB, plus 8 KB for the rest of
    /// the message. SignalR's default, 32 KB, dropped the circuit at about a 16 KB call.
    /// </summary>
    public const long CircuitMessageBytes = 4L * IngestService.MaxCallBytes + 8 * 1024;

    /// <summary>
    /// The one configuration file is appsettings.json at the repository root, copied next to the
    /// binaries. It goes first, so environment variables and the command line override it.
    /// </summary>
    private static void AddRootConfiguration(this WebApplicationBuilder builder)
    {
        var source = new JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Optional = false,
        };
        source.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, source);
    }
}
