using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Userlist.Core.Delivery;
using Userlist.Core.Storage;
using Userlist.Tests.Delivery;
using Userlist.Tests.Infrastructure;

namespace Userlist.Tests.Operations;

/// <summary>What an operator's Prometheus sees at /metrics, scraped without signing in, before and after traffic.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Scrape_WithoutSignIn_AnswersPrometheusTextWhileDashboardPagesAskForSignIn()
    {
        await using var harness = await DeliveryHarness.StartAsync(settings: AdminAccount);
        using var anonymous = harness.Relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var metrics = await anonymous.GetAsync("/metrics");
        var dashboard = await anonymous.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("userlist_relay_queue_depth{", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [Fact]
    public async Task IngestThenDelivery_MovesCountersByTheCallsSentWithTheirLabels()
    {
        await using var harness = await DeliveryHarness.StartAsync();
        // A second relay in the same process takes traffic too: its calls must not show in the first one's figures.
        await using var neighbour = await DeliveryHarness.StartAsync();
        var before = await PrometheusScrape.OfAsync(harness.Client);

        await harness.SendAsync("/v1/track", """{"userId":"u1","event":"Signed in","messageId":"m-1"}""");
        await harness.SendAsync("/v1/track", """{"userId":"u1","event":"Signed in","messageId":"m-1"}""");
        var batch = await harness.Client.SendAsync(harness.Relay.Post("/v1/batch",
            """{"batch":[{"type":"identify","userId":"u2","messageId":"m-2"},{"type":"track","userId":"u2","messageId":"m-3"}]}"""));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        await neighbour.SendAsync("/v1/track", """{"userId":"n","event":"Elsewhere","messageId":"n-1"}""");
        await harness.UntilStatusAsync("m-2", MessageStatus.Delivered);
        await neighbour.UntilStatusAsync("n-1", MessageStatus.Delivered);
        var after = await ScrapeWhenAsync(harness, s => s.Value("userlist_relay_delivery_outcomes_total", ("status", "delivered")) >= 2);

        double Moved(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);
        Assert.Equal(1, Moved("userlist_relay_calls_received_total", ("call_type", "track"), ("outcome", "stored")));
        Assert.Equal(1, Moved("userlist_relay_calls_received_total", ("call_type", "track"), ("outcome", "duplicate")));
        Assert.Equal(1, Moved("userlist_relay_calls_received_total", ("call_type", "track"), ("outcome", "invalid")));
        Assert.Equal(1, Moved("userlist_relay_calls_received_total", ("call_type", "identify"), ("outcome", "stored")));
        Assert.Equal(4, Moved("userlist_relay_calls_received_total"));
        Assert.Equal(3, Moved("userlist_relay_ingest_duration_seconds_count", ("outcome", "accepted")));
        Assert.Equal(4, Moved("userlist_relay_group_commit_size_sum", ("queue", "ingest")));
        Assert.Equal(2, Moved("userlist_relay_delivery_attempts_total", ("outcome", "delivered"), ("http_response_status_code", "202")));
        Assert.Equal(2, Moved("userlist_relay_push_api_duration_seconds_count"));
        Assert.Equal(2, Moved("userlist_relay_delivery_outcomes_total", ("status", "delivered")));
        Assert.Equal(2, after.Value("userlist_relay_push_api_requests_last_minute"));
        Assert.Equal(1000, after.Value("userlist_relay_push_api_requests_limit"));
    }

    [Fact]
    public async Task RefusedAndRetriedDeliveries_AreCountedByOutcomeAndStatusCode()
    {
        var answered = 0;
        await using var harness = await DeliveryHarness.StartAsync(u => u.Script = request => Task.FromResult(
            request.Path == "/companies" ? new FakeUserlist.Scripted(422, """{"errors":["User must exist"]}""")
            : Interlocked.Increment(ref answered) == 1 ? new FakeUserlist.Scripted(503) : null));

        await harness.SendAsync("/v1/group", """{"userId":"u","groupId":"g","messageId":"refused"}""");
        await harness.SendAsync("/v1/track", """{"userId":"v","event":"E","messageId":"flaky"}""");
        await harness.UntilStatusAsync("refused", MessageStatus.Rejected);
        await harness.UntilStatusAsync("flaky", MessageStatus.Delivered);
        var after = await ScrapeWhenAsync(harness, s => s.Value("userlist_relay_delivery_outcomes_total", ("status", "delivered")) == 1);

        Assert.Equal(1, after.Value("userlist_relay_delivery_attempts_total", ("outcome", "rejected"), ("http_response_status_code", "422")));
        Assert.Equal(1, after.Value("userlist_relay_delivery_attempts_total", ("outcome", "transient"), ("http_response_status_code", "503")));
        Assert.Equal(1, after.Value("userlist_relay_delivery_attempts_total", ("outcome", "delivered"), ("http_response_status_code", "202")));
        Assert.Equal(1, after.Value("userlist_relay_delivery_outcomes_total", ("status", "rejected")));
        Assert.Equal(1, after.Value("userlist_relay_delivery_outcomes_total", ("status", "retrying")));
    }

    [Fact]
    public async Task CallsWaitingWithoutPushKey_ShowAsPendingDepthAndAge()
    {
        await using var harness = await DeliveryHarness.StartAsync(pushKey: null);

        await harness.SendAsync("/v1/batch", """{"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u","event":"B"},{"type":"identify","userId":"u"}]}""");
        var scrape = await ScrapeWhenAsync(harness, s => s.Value("userlist_relay_queue_depth", ("status", "pending")) == 3);

        Assert.True(scrape.Value("userlist_relay_queue_oldest_age_seconds", ("status", "pending")) >= 0);
        Assert.Equal(0, scrape.Value("userlist_relay_queue_depth", ("status", "retrying")));
        Assert.Equal(0, scrape.Value("userlist_relay_push_api_requests_last_minute"));
    }

    [Fact]
    public async Task CoalescedBacklog_CountsTheMergedCalls_AndTheirOneRequest()
    {
        await using var harness = await DeliveryHarness.StartAsync(pushKey: null);
        await harness.SendAsync("/v1/batch", """{"batch":[{"type":"identify","userId":"u","traits":{"a":1}},{"type":"identify","userId":"u","traits":{"b":2}},{"type":"identify","userId":"u","traits":{"c":3}}]}""");

        await harness.Relay.Services.GetRequiredService<DeliverySettings>()
            .SavePushKeyAsync(DeliveryHarness.PushKey, "ops@example.com", CancellationToken.None);
        var scrape = await ScrapeWhenAsync(harness, s => s.Value("userlist_relay_delivery_outcomes_total", ("status", "delivered")) == 3);

        Assert.Equal(3, scrape.Value("userlist_relay_delivery_coalesced_total"));
        Assert.Equal(1, scrape.Value("userlist_relay_delivery_attempts_total", ("outcome", "delivered"), ("http_response_status_code", "202")));
        Assert.Equal(1, scrape.Value("userlist_relay_push_api_requests_last_minute"));
    }

    [Fact]
    public async Task MetricsDisabled_NothingIsServedAtMetrics()
    {
        await using var harness = await DeliveryHarness.StartAsync(settings: new() { ["Metrics:Enabled"] = "false" });
        using var anonymous = harness.Relay.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync("/metrics");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("userlist_relay", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> AdminAccount => new()
    {
        ["Dashboard:AdminEmail"] = "ops@example.com",
        ["Dashboard:AdminPassword"] = "correct horse battery",
    };

    /// <summary>Scrapes until the condition holds: counters move just after the commit the test waited for.</summary>
    private static async Task<PrometheusScrape> ScrapeWhenAsync(DeliveryHarness harness, Func<PrometheusScrape, bool> condition)
    {
        PrometheusScrape? scrape = null;
        await Eventually.HoldsAsync(async () => condition(scrape = await PrometheusScrape.OfAsync(harness.Client)), "the scrape shows the traffic");
        return scrape!;
    }
}
