using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Storage;
using Userlist.Tests.Infrastructure;
using Userlist.Tests.Operators;

namespace Userlist.Tests.Dashboard;

/// <summary>A relay on a test database with an operator who can sign in, and the calls export reads.</summary>
internal static class ExportRelay
{
    public const string Email = "ops@example.com";
    public const string Password = "correct horse battery";

    public static RelayFactory Create(TestDatabase database, TimeProvider? time = null) => new(database)
    {
        Time = time,
        Settings = { ["Dashboard:AdminEmail"] = Email, ["Dashboard:AdminPassword"] = Password },
    };

    public static async Task<HttpClient> SignedInClientAsync(this RelayFactory relay)
    {
        var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true });
        var signedIn = await AccountForms.SignInAsync(client, Email, Password);
        Assert.Equal("/", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }

    public static async Task<List<Message>> StoreAsync(this RelayFactory relay, params Message[] calls)
    {
        await using var db = await relay.Services.GetRequiredService<IDbContextFactory<RelayDbContext>>().CreateDbContextAsync();
        db.Messages.AddRange(calls);
        await db.SaveChangesAsync();
        return [.. calls];
    }

    public static async Task<string> ExportAsync(this HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/events/export?{query}");
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }
}
