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
/// The relay in-process, with the test write key configured, on its own SQLite file (a real file,
/// so WAL and fsync are real) or on a <see cref="TestDatabase"/> of the test's, on either provider.
/// Settings and a clock can be given before the first request.
/// </summary>
public sealed class RelayFactory : WebApplicationFactory<Program>
{
    public const string WriteKey = "wk_test_123";

    private readonly TemporaryFolder? ownFolder;

    /// <summary>On relay.db in the folder, or in a temporary folder of its own when none is given.</summary>
    public RelayFactory(TemporaryFolder? folder = null)
    {
        ownFolder = folder is null ? new TemporaryFolder() : null;
        Database = TestDatabase.Sqlite((folder ?? ownFolder!).Path);
    }

    /// <summary>On the test's database, which it keeps: a relay made on it afterwards sees the same data.</summary>
    public RelayFactory(TestDatabase database) => Database = database;

    public TestDatabase Database { get; }

    public string DatabasePath => Database.SqlitePath;

    public Dictionary<string, string?> Settings { get; } = [];

    public TimeProvider? Time { get; init; }

    /// <summary>Everything the relay logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

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
        foreach (var (key, value) in Database.Settings)
        {
            builder.UseSetting(key, value);
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
        ownFolder?.Dispose();
    }
}
