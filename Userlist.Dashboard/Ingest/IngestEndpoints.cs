using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Userlist.Core.Ingest;
using Userlist.Core.Segment;
using IngestAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<Userlist.Dashboard.Ingest.IngestAccepted>,
    Microsoft.AspNetCore.Http.HttpResults.BadRequest<Userlist.Dashboard.Ingest.SegmentError>,
    Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<Userlist.Dashboard.Ingest.SegmentError>>;

namespace Userlist.Dashboard.Ingest;

/// <summary>
/// The Segment-compatible tracking API and the Segment webhook receiver. Each ingest answer is
/// 200 with <see cref="IngestAccepted"/>, 400 with <see cref="SegmentError"/>, or the same error
/// shape as 401 (unknown write key, bad signature) or 503 with Retry-After (storage down).
/// </summary>
public static class IngestEndpoints
{
    public const string CorsPolicy = "segment-clients";

    /// <summary>Seconds a client is asked to wait when storage is down.</summary>
    private const int RetryAfterSeconds = 5;

    private static readonly (string Path, string Type)[] SingleCallPaths =
    [
        ("identify", SegmentCallTypes.Identify), ("i", SegmentCallTypes.Identify),
        ("track", SegmentCallTypes.Track), ("t", SegmentCallTypes.Track),
        ("page", SegmentCallTypes.Page), ("p", SegmentCallTypes.Page),
        ("screen", SegmentCallTypes.Screen), ("s", SegmentCallTypes.Screen),
        ("group", SegmentCallTypes.Group), ("g", SegmentCallTypes.Group),
        ("alias", SegmentCallTypes.Alias), ("a", SegmentCallTypes.Alias),
    ];

    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        // Segment clients authenticate with write keys, not the dashboard's sign-in.
        var v1 = endpoints.MapGroup("/v1").RequireCors(CorsPolicy).DisableAntiforgery().AllowAnonymous().RequireRateLimiting(IngestRateLimit.Policy);
        v1.MapPost("/batch", BatchAsync);
        v1.MapPost("/import", BatchAsync);
        v1.MapPost("/b", BatchAsync);
        foreach (var (path, type) in SingleCallPaths)
        {
            v1.MapPost($"/{path}", (HttpContext http, IngestService ingest) => SingleAsync(http, ingest, type));
        }

        endpoints.MapPost("/segment/webhook", WebhookAsync).DisableAntiforgery().AllowAnonymous().RequireRateLimiting(IngestRateLimit.Policy);

        // Every other method on the ingest paths (OPTIONS without a CORS preflight's headers, made-up
        // ones too) answers 405, never a page or a redirect, and unknown /v1 paths 404, both in
        // JSON, so a misconfigured client sees what is wrong. These routes name no method, so
        // routing prefers the POST routes above, and their CORS preflights, wherever those match.
        endpoints.Map("/v1/{**path}", MethodNotAllowed).AllowAnonymous();
        endpoints.Map("/segment/webhook", MethodNotAllowed).AllowAnonymous();
        v1.MapPost("/{**path}", UnknownPath);
        return endpoints;
    }

    public static Task<IngestAnswer> BatchAsync(HttpContext http, IngestService ingest) =>
        IngestAsync(http, ingest, IngestRoute.Batch, null);

    public static Task<IngestAnswer> SingleAsync(HttpContext http, IngestService ingest, string type) =>
        IngestAsync(http, ingest, IngestRoute.Single, type);

    public static Task<IngestAnswer> WebhookAsync(HttpContext http, IngestService ingest) =>
        IngestAsync(http, ingest, IngestRoute.Webhook, null);

    public static JsonHttpResult<SegmentError> MethodNotAllowed(HttpContext http)
    {
        http.Response.Headers.Allow = "POST";
        return TypedResults.Json(new SegmentError("method_not_allowed", "Use POST"), statusCode: StatusCodes.Status405MethodNotAllowed);
    }

    public static JsonHttpResult<SegmentError> UnknownPath() =>
        TypedResults.Json(new SegmentError("not_found", "Unknown path: use /v1/batch, /v1/import, /v1/b or /v1/<call type>"),
            statusCode: StatusCodes.Status404NotFound);

    private static async Task<IngestAnswer> IngestAsync(HttpContext http, IngestService ingest, IngestRoute route, string? type)
    {
        // Ingest enforces its own limit on decompressed bytes and stops reading past it; Kestrel's
        // own limit would answer a bare 413 instead of Segment's JSON error.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit)
        {
            kestrelLimit.MaxRequestBodySize = null;
        }

        var headers = http.Request.Headers;
        var request = new IngestRequest(
            route,
            type,
            headers.Authorization.ToString(),
            headers["X-Signature"].ToString(),
            headers.ContentEncoding.Any(e => e?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true),
            http.Request.Body);

        var outcome = await ingest.IngestAsync(request, http.RequestAborted);
        return ToResult(http, outcome);
    }

    private static IngestAnswer ToResult(HttpContext http, IngestOutcome outcome)
    {
        switch (outcome.Status)
        {
            case IngestStatus.Accepted:
                return TypedResults.Ok(new IngestAccepted(outcome.Rejected.Count == 0 ? null : outcome.Rejected));
            case IngestStatus.Unavailable:
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Error(outcome.Problem!, StatusCodes.Status503ServiceUnavailable);
            case IngestStatus.Unauthorized:
                return Error(outcome.Problem!, StatusCodes.Status401Unauthorized);
            default:
                return TypedResults.BadRequest(SegmentError.From(outcome.Problem!));
        }
    }

    private static JsonHttpResult<SegmentError> Error(CallProblem problem, int status) =>
        TypedResults.Json(SegmentError.From(problem), statusCode: status);
}
