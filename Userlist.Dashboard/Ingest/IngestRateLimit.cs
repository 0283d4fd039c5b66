using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Ingest;
using Userlist.Core.Segment;

namespace Userlist.Dashboard.Ingest;

/// <summary>
/// A token bucket per write key on the ingest paths: past <c>Ingest:RequestsPerSecondPerKey</c>,
/// a request is answered 429 with Retry-After in Segment's error shape, and Segment's libraries
/// retry it later. Requests without a key in the header (a key in the body, or none) share a
/// bucket per client address; a wrong key is refused by ingest either way.
/// </summary>
public static class IngestRateLimit
{
    public const string Policy = "ingest-per-write-key";

    public static IServiceCollection AddIngestRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, http =>
            {
                var perSecond = http.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.RequestsPerSecondPerKey;
                return perSecond == 0
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(PartitionKey(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = perSecond,
                        TokensPerPeriod = perSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.RequestServices.GetRequiredService<IngestRefusals>()
                    .Refused(IngestRefusals.RateLimitReason, BasicAuthorization.UserName(context.HttpContext.Request.Headers.Authorization));
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await response.WriteAsJsonAsync(
                    new SegmentError("rate_limited", "Too many requests for this write key; retry after the time in Retry-After"), cancellationToken);
            };
        });

    /// <summary>A hash of the key, so the limiter's table never holds a key itself.</summary>
    private static string PartitionKey(HttpContext http) =>
        BasicAuthorization.UserName(http.Request.Headers.Authorization) is { Length: > 0 } key
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))
            : $"address:{http.Connection.RemoteIpAddress}";
}
