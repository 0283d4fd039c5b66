using Userlist.Dashboard;
using Userlist.Dashboard.Backups;
using Userlist.Dashboard.Bench;
using Userlist.Dashboard.Components;
using Userlist.Dashboard.Export;
using Userlist.Dashboard.Ingest;
using Userlist.Dashboard.Jobs;
using Userlist.Dashboard.Moving;
using Userlist.Dashboard.Operations;
using Userlist.Dashboard.Operators;

// `backup <folder>` copies the data of a relay that may be running, and exits: no host, no lock.
// `copy-to-postgres <connection string>` copies a stopped relay's SQLite data into an empty PostgreSQL database, and exits.
if ((await BackupCommand.TryRunAsync(args) ?? await CopyToPostgresCommand.TryRunAsync(args)) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);

// Configuration from the root appsettings.json, the relay's core (storage, ingest), Blazor and MudBlazor.
builder.AddRelayDashboard();

// Listen addresses (http://localhost:5080 unless Urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS or --urls say),
// trusted proxies, health checks.
builder.AddRelayOperations();

var app = builder.Build();

// Before anything opens the database: a bad setting, or another relay already on this database (both
// would dispatch), stops the start with one line on stderr and exit code 1.
if (!app.PassesStartChecks())
{
    return 1;
}

// A client's broken or too slow request body: answered 400/408 and logged in one line, at most once a minute.
app.UseClientErrorAnswers();

// Behind a TLS-terminating proxy listed in ForwardedHeaders:*, its scheme, host and client address count.
app.UseTrustedProxyHeaders();

// No framing, no sniffing, scripts only from the relay (every response, ingest's included).
app.UseSecurityHeaders();

// Browser analytics.js posts cross-origin to /v1/*.
app.UseCors();

// Ingest answers 429 past Ingest:RequestsPerSecondPerKey for one write key; sign-in takes 10 attempts a minute per client address.
app.UseRateLimiter();

// Operators sign in for everything but ingest, static assets and the sign-in pages.
app.UseAuthentication();
app.UseAuthorization();

// Static assets (MudBlazor's CSS and JS) and anti-forgery for every form.
app.MapStaticAssets().AllowAnonymous();
app.UseAntiforgery();

// The Segment-compatible tracking API and webhook receiver.
app.MapIngest();

// /healthz (alive) and /readyz (database writable, migrations applied, job server beating, delivery state), anonymous.
app.MapRelayHealth();

// Prometheus scrapes /metrics without signing in (off with Metrics:Enabled=false).
app.MapRelayMetrics();

// A parse-and-answer endpoint that stores nothing: the baseline of bench/ingest (off unless Bench:BareEndpoint).
app.MapBareEndpointForBenchmarks(app.Configuration);

// bench/ingest's storage ceiling: plain INSERTs of ingest's rows, rows per second (off unless Bench:BareEndpoint).
app.MapStorageCeilingForBenchmarks(app.Configuration);

// Timings of the dashboard's queries, for bench/dashboard (off unless Bench:QueryEndpoints).
app.MapQueryTimingForBenchmarks(app.Configuration);

// The operator dashboard, its sign-in, and Hangfire's dashboard behind the same sign-in.
app.MapAccount();
// CSV and NDJSON downloads of the calls a filter selects, streamed and audited, for signed-in operators.
app.MapCallExport();
// The relay sends its own, stricter frame-ancestors ('none'): Blazor's second header would only repeat it.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
app.MapRelayJobsDashboard();

app.Run();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
