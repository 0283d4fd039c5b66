using System.IO.Compression;
using Userlist.Core.Segment;

namespace Userlist.Core.Ingest;

/// <summary>
/// Reads a request body, inflating gzip, and stops as soon as it passes the limit: the limit
/// applies to the decompressed bytes, so a small gzip bomb is refused without being inflated.
/// </summary>
public static class RequestBody
{
    public static async Task<(byte[]? Body, CallProblem? Problem)> ReadAsync(Stream body, bool gzip, int limit, CancellationToken cancellationToken)
    {
        var source = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : body;
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, IngestProblems.RequestTooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            return (null, new CallProblem("invalid_json", "The body is sent as gzip (Content-Encoding: gzip) but is not valid gzip"));
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }

        return (buffer.ToArray(), null);
    }
}
