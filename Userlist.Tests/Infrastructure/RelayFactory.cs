using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;

namespace Userlist.Tests.Infrastructure;

/// <summary>
/// The relay in-process on its own SQLite file (a real file, so WAL and fsync are real), or on a
/// PostgreSQL database of the test's (<see cref="Postgres"/>), with the test write key configured.
/// Settings and a clock can be given before the first request.
/// </summary>
public sealed class RelayFactory : WebApplicationFactory<Program>
{
    public const string WriteKey = "wk_test_123";

    private readonly TemporaryFolder folder;

    public RelayFactory(TemporaryFolder? folder = null)
    {
        this.folder = folder ?? new TemporaryFolder();
        OwnsFolder = folder is null;
    }

    public string DatabasePath => Path.Combine(folder.Path, "relay.db");

    public Dictionary<string, string?> Settings { get; } = [];

    public TimeProvider? Time { get; init; }

    /// <summary>A PostgreSQL connection string: the relay runs on that database instead of its SQLite file.</summary>
    public string? Postgres { get; init; }

    /// <summary>Everything the relay logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    private bool OwnsFolder { get; }

    /// <summary>The base address of the relay once it listens on a real port (after UseKestrel and StartServer).</summary>
    public Uri ServerAddress =>
        new(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public HttpRequestMessage Post(string path, string body, string? writeKey = WriteKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (writeKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));
        }

        return request;
    }

    public async Task<List<Message>> MessagesAsync()
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        return await db.Messages.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Postgres is null)
        {
            builder.UseSetting("ConnectionStrings:Userlist", $"Data Source={DatabasePath}");
        }
        else
        {
            builder.UseSetting("Storage:Provider", "Postgres");
            builder.UseSetting("ConnectionStrings:Userlist", Postgres);
        }

        builder.UseSetting("Ingest:WriteKeys:0", WriteKey);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
            {
                services.AddSingleton(Time);
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsFolder)
        {
            folder.Dispose();
        }
    }
}
