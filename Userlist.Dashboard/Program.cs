using Userlist.Dashboard;
using Userlist.Dashboard.Components;
using Userlist.Dashboard.Ingest;

var builder = WebApplication.CreateBuilder(args);

// Configuration from the root appsettings.json, the relay's core (storage, ingest), Blazor and MudBlazor.
builder.AddRelayDashboard();

var app = builder.Build();

// Browser analytics.js posts cross-origin to /v1/*.
app.UseCors();

// Static assets (MudBlazor's CSS and JS) and the Blazor pages' anti-forgery.
app.MapStaticAssets();
app.UseAntiforgery();

// The Segment-compatible tracking API and webhook receiver.
app.MapIngest();

// A parse-and-answer endpoint that stores nothing: the baseline of bench/ingest (off unless Bench:BareEndpoint).
app.MapBareEndpointForBenchmarks(app.Configuration);

// The operator dashboard.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
