using System.Text.Json;

namespace Userlist.Dashboard.Ingest;

/// <summary>
/// The benchmark's baseline: reads and parses a request like ingest does, then answers without
/// storing anything. Mapped only when <c>Bench:BareEndpoint</c> is true.
/// </summary>
public static class BareEndpoint
{
    public static IEndpointRouteBuilder MapBareEndpointForBenchmarks(this IEndpointRouteBuilder endpoints, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Bench:BareEndpoint"))
        {
            endpoints.MapPost("/bench/bare/{**path}", ParseAndAnswerAsync).DisableAntiforgery().AllowAnonymous();
        }

        return endpoints;
    }

    private static async Task<IResult> ParseAndAnswerAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        return Results.Json(new { success = true });
    }
}
