using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>/healthz and /readyz, as a load balancer or an orchestrator's probes see them: anonymous, JSON, no secrets.</summary>
public sealed class HealthTests
{
    private const string PushKey = "push-key-never-shown";
    private const string WebhookSecret = "webhook-secret-never-shown";

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Probe_Anonymous_AnswersWithoutSignInRedirect(string path)
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        await Eventually.HoldsAsync(async () => (await client.GetAsync(path)).StatusCode == HttpStatusCode.OK, $"{path} answers 200");

        var response = await client.GetAsync(path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Healthz_Started_HealthyWithNoChecks()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();

        var health = JsonDocument.Parse(await client.GetStringAsync("/healthz")).RootElement;

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("checks").GetArrayLength());
    }

    [Fact]
    public async Task Readyz_Started_EveryCheckHealthyAndNoSecrets()
    {
        await using var relay = new RelayFactory { Settings = { ["Userlist:PushKey"] = PushKey, ["Ingest:WebhookSecret"] = WebhookSecret } };
        using var client = relay.CreateClient();

        var (status, body) = await UntilReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        var checks = Checks(body);
        Assert.Equal(["database", "migrations", "job-server", "delivery"], checks.Keys);
        Assert.All(checks.Values, check => Assert.Equal("Healthy", check.Status));
        Assert.Equal("delivery to Userlist is running", checks["delivery"].Description);
        foreach (var secret in new[] { PushKey, WebhookSecret, RelayFactory.WriteKey, relay.DatabasePath })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Readyz_NoPushKey_ReadyWithDeliveryDegraded()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();

        var (status, body) = await UntilReadyAsync(client);

        // Ready: calls are still taken and stored; the probe says why none are sent.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
        Assert.Equal(("Degraded", "no Push API key is set: calls are stored and wait"), Checks(body)["delivery"]);
    }

    [Fact]
    public async Task Readyz_DatabaseWriteLockedByAnotherProcess_503UntilReleased()
    {
        await using var relay = new RelayFactory();
        using var client = relay.CreateClient();
        await UntilReadyAsync(client);

        await using (var held = await DatabaseLock.HoldAsync(relay.Database))
        {
            // Waits the default Storage:WriteTimeoutSeconds (5 s), as ingest does, then gives up.
            var locked = await client.GetAsync("/readyz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, locked.StatusCode);
            var checks = Checks(await locked.Content.ReadAsStringAsync());
            Assert.Equal("Unhealthy", checks["database"].Status);
            Assert.Contains("no write within 5 s", checks["database"].Description, StringComparison.Ordinal);
            await held.ReleaseAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    /// <summary>Until Hangfire's server has announced itself, shortly after start.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> UntilReadyAsync(HttpClient client)
    {
        HttpResponseMessage? response = null;
        await Eventually.HoldsAsync(async () => (response = await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz answers 200");
        return (response!.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Dictionary<string, (string? Status, string? Description)> Checks(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            check => check.GetProperty("name").GetString()!,
            check => (check.GetProperty("status").GetString(), check.GetProperty("description").GetString()));
}
