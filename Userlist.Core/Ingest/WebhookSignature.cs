using System.Security.Cryptography;
using System.Text;

namespace Userlist.Core.Ingest;

/// <summary>Segment's Webhooks destination signs with X-Signature: hex HMAC-SHA1 of the body under a shared secret.</summary>
public static class WebhookSignature
{
    public static string Compute(string secret, ReadOnlySpan<byte> signedBytes) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), signedBytes));

    public static bool IsValid(string secret, ReadOnlySpan<byte> signedBytes, string? signature)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, signedBytes));
        var presented = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }
}
