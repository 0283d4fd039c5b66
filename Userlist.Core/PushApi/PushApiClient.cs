using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Userlist.Core.Mapping;
using Userlist.Core.Telemetry;

namespace Userlist.Core.PushApi;

/// <summary>
/// Userlist's Push API: sends one mapped request with the key and headers Userlist expects and
/// classifies the answer. It never retries: the delivery policy decides what happens next.
/// </summary>
public sealed class PushApiClient(HttpClient http, TimeProvider time, RelayMetrics metrics)
{
    private const int MaxBodyLength = 4_000;

    /// <summary>The <c>outcome</c> label of the delivery metrics, by <see cref="PushOutcome"/>.</summary>
    private static readonly string[] OutcomeTags = ["delivered", "rejected", "transient", "unauthorized"];

    /// <summary>Sends one call's request: a delivery attempt, counted in the delivery metrics.</summary>
    public async Task<PushResult> SendAsync(Uri pushApiUrl, string pushKey, PushRequest request, CancellationToken cancellationToken)
    {
        var (result, error) = await PushAsync(pushApiUrl, pushKey, request, cancellationToken);
        metrics.DeliveryAttempted(OutcomeTags[(int)result.Outcome], result.StatusCode, error, result.Duration);
        return result;
    }

    /// <returns>The result, and when Userlist never answered, why (the <c>error.type</c> label: timeout, connection_error).</returns>
    private async Task<(PushResult Result, string? Error)> PushAsync(Uri pushApiUrl, string pushKey, PushRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(pushApiUrl, request.Path.TrimStart('/')))
        {
            Content = new StringContent(request.Body, new UTF8Encoding(false)),
        };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=UTF-8");
        message.Headers.Accept.ParseAdd("application/json");
        message.Headers.Authorization = new AuthenticationHeaderValue("Push", pushKey);

        var started = time.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = Truncate(await response.Content.ReadAsStringAsync(cancellationToken));
            return (Classify(response, body, time.GetElapsedTime(started)), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (new PushResult(PushOutcome.Transient, null, null, null,
                $"No answer within {http.Timeout.TotalSeconds:0.#} s", time.GetElapsedTime(started)), "timeout");
        }
        catch (HttpRequestException exception)
        {
            return (new PushResult(PushOutcome.Transient, null, null, null,
                $"Could not reach Userlist: {exception.Message}", time.GetElapsedTime(started)), "connection_error");
        }
    }

    /// <summary>
    /// Checks a key without changing anything in Userlist: an empty user push, which Userlist
    /// refuses as invalid (422) for a good key and as unauthorized (401) for a bad one.
    /// </summary>
    public async Task<ConnectionCheck> CheckKeyAsync(Uri pushApiUrl, string pushKey, CancellationToken cancellationToken)
    {
        // Not a delivery: left out of the delivery metrics.
        var (result, _) = await PushAsync(pushApiUrl, pushKey, new PushRequest("POST", "/users", "{}"), cancellationToken);
        return result switch
        {
            { Outcome: PushOutcome.Unauthorized } => new(ConnectionState.InvalidKey, "Userlist refused the key (401)"),
            { StatusCode: 403 } => new(ConnectionState.InvalidKey, "Userlist refused the key for this feature (403)"),
            { Outcome: PushOutcome.Delivered or PushOutcome.Rejected } => new(ConnectionState.Valid, $"Userlist accepted the key (it answered {result.StatusCode} to an empty test push)"),
            _ => new(ConnectionState.Unreachable, result.Reason ?? "No answer"),
        };
    }

    private PushResult Classify(HttpResponseMessage response, string body, TimeSpan duration)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response);
        return status switch
        {
            >= 200 and < 300 => new(PushOutcome.Delivered, status, body, null, null, duration),
            401 => new(PushOutcome.Unauthorized, status, body, null, "Userlist refused the Push API key (401)", duration),
            429 => new(PushOutcome.Transient, status, body, retryAfter, "Userlist's rate limit was reached (429)", duration),
            >= 500 or 408 => new(PushOutcome.Transient, status, body, retryAfter, $"Userlist answered {status}", duration),
            _ => new(PushOutcome.Rejected, status, body, null, $"Userlist answered {status}: {Errors(body) ?? response.ReasonPhrase}", duration),
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - time.GetUtcNow() : null;
    }

    /// <summary>Userlist's error list (<c>{"errors":["User must exist"]}</c>), joined for people.</summary>
    private static string? Errors(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var texts = errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText());
                return string.Join("; ", texts);
            }
        }
        catch (JsonException)
        {
        }

        return string.IsNullOrWhiteSpace(body) ? null : body;
    }

    private static string Truncate(string body) => body.Length <= MaxBodyLength ? body : body[..MaxBodyLength] + "…";
}
