namespace Userlist.Dashboard.Operations;

/// <summary>
/// Requests that fail on the client's side while the relay reads them (a body arriving too slowly,
/// 408; a malformed one, such as broken chunked encoding, 400: Kestrel's <see cref="BadHttpRequestException"/>)
/// are answered with that status and logged as one warning line without a stack trace, at most
/// one line per <see cref="Interval"/>, which counts those left out since the last. Anyone can
/// send them without a write key, so they must not be a cheap way to flood the log.
/// </summary>
public sealed partial class ClientErrors(TimeProvider time, ILogger<ClientErrors> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private DateTimeOffset? loggedAt;
    private int leftOut;

    /// <summary>Logs this client error, or counts it for the next line when one was logged less than <see cref="Interval"/> ago.</summary>
    public void Record(HttpContext http, BadHttpRequestException error)
    {
        int before;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - loggedAt < Interval)
            {
                leftOut++;
                return;
            }

            (loggedAt, before, leftOut) = (now, leftOut, 0);
        }

        if (before == 0)
        {
            LogClientError(error.StatusCode, http.Request.Method, http.Request.Path, error.Message);
        }
        else
        {
            LogClientErrors(error.StatusCode, http.Request.Method, http.Request.Path, error.Message, before);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client error {StatusCode} on {Method} {Path}: {Reason}")]
    private partial void LogClientError(int statusCode, string method, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Client error {StatusCode} on {Method} {Path}: {Reason} ({LeftOut} more since the last such line, not logged)")]
    private partial void LogClientErrors(int statusCode, string method, PathString path, string reason, int leftOut);
}

public static class ClientErrorsMiddleware
{
    /// <summary>
    /// First in the pipeline, so a client error thrown anywhere below it is answered and logged
    /// here rather than as an unhandled exception with its stack trace.
    /// </summary>
    public static IApplicationBuilder UseClientErrorAnswers(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException error)
        {
            http.RequestServices.GetRequiredService<ClientErrors>().Record(http, error);
            if (http.Response.HasStarted)
            {
                // Too late for a status: end the connection rather than let a cut answer look complete.
                http.Abort();
                return;
            }

            http.Response.Clear();
            http.Response.StatusCode = error.StatusCode;
            // The rest of the body was not read: the connection can't carry another request.
            http.Response.Headers.Connection = "close";
        }
    });
}
