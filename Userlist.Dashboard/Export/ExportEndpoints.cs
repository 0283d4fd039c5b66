using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Userlist.Core;
using Userlist.Core.Storage;

namespace Userlist.Dashboard.Export;

/// <summary>
/// Downloads of the calls the Events page's filter selects, as CSV or NDJSON, for signed-in
/// operators only. Written to the response a chunk at a time as they are read (memory stays at one
/// chunk for a million calls), and audited with who, the format, the filter and how many calls went.
/// </summary>
public static class ExportEndpoints
{
    public const string Path = "/events/export";

    public static IEndpointRouteBuilder MapCallExport(this IEndpointRouteBuilder endpoints)
    {
        // A signed-out browser (an expired session) is sent to sign in, as the pages do, not shown a bare 401.
        endpoints.MapGet(Path, Export).RequireAuthorization().AllowCookieRedirect();
        return endpoints;
    }

    /// <summary>The page's link for a filter and a format ("csv" or "ndjson").</summary>
    public static string Link(MessageFilter filter, string format) =>
        CallsQuery.Of(filter).ToQueryString() is { Length: > 0 } query ? $"{Path}?format={format}&{query}" : $"{Path}?format={format}";

    public static Results<PushStreamHttpResult, BadRequest<string>> Export(
        string? format, [AsParameters] CallsQuery query, ClaimsPrincipal user, MessageExport export, AuditLog audit, TimeProvider time,
        ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && !string.Equals(format, "ndjson", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.BadRequest("format: \"csv\" or \"ndjson\"");
        }

        var (filter, error) = query.ToFilter();
        if (filter is null)
        {
            return TypedResults.BadRequest(error!);
        }

        var started = time.GetUtcNow().UtcDateTime;
        var fileName = $"userlist-relay-calls-{started.ToString("yyyy-MM-dd'T'HHmm", CultureInfo.InvariantCulture)}Z.{(csv ? "csv" : "ndjson")}";
        var operatorName = user.Identity?.Name ?? "unknown operator";
        var log = logs.CreateLogger(typeof(ExportEndpoints));
        return TypedResults.Stream(
            body => WriteAsync(body, filter, csv, operatorName, export, audit, log, cancellationToken),
            csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
            fileName);
    }

    private static async Task WriteAsync(
        Stream body, MessageFilter filter, bool csv, string operatorName, MessageExport export, AuditLog audit, ILogger log, CancellationToken cancellationToken)
    {
        var count = 0;
        var complete = false;
        try
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024, leaveOpen: true);
            var text = new StringBuilder();
            if (csv)
            {
                text.Append(CallsCsv.Header);
            }

            await foreach (var chunk in export.ChunksAsync(filter, withPayload: !csv, cancellationToken))
            {
                foreach (var call in chunk)
                {
                    if (csv)
                    {
                        CallsCsv.AppendRow(text, call);
                    }
                    else
                    {
                        CallsNdjson.AppendLine(text, call);
                    }
                }

                // Out to the client before the next chunk is read: only this chunk's text is held.
                await writer.WriteAsync(text, cancellationToken);
                await writer.FlushAsync(cancellationToken);
                text.Clear();
                count += chunk.Count;
            }

            await writer.WriteAsync(text, cancellationToken);
            await writer.FlushAsync(cancellationToken);
            complete = true;
        }
        finally
        {
            // Recorded when the download stops part-way too: those calls left the relay.
            var format = csv ? "CSV" : "NDJSON";
            var detail = $"Exported {Counted.Calls(count)} as {format}: {filter.Describe()}{(complete ? "" : " (stopped part-way)")}";
            log.LogInformation("{Operator} exported {Count} calls as {Format}, complete: {Complete}", operatorName, count, format, complete);
            await audit.RecordAsync(operatorName, "Export", detail, null, CancellationToken.None);
        }
    }
}
