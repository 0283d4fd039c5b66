using System.Net;
using Microsoft.Extensions.Options;

namespace Userlist.Dashboard.Operations;

/// <summary>
/// The reverse proxies whose X-Forwarded-For/-Proto/-Host headers the relay believes. Empty (the
/// default): it believes none, and sees the connection as it is.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses, e.g. <c>127.0.0.1</c> for nginx on the same host.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/8</c> for a load balancer's subnet.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    internal sealed class Validator : IValidateOptions<TrustedProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
        {
            var failures = options.KnownProxies.Where(proxy => !IPAddress.TryParse(proxy, out _))
                .Select(proxy => $"{SectionName}:KnownProxies has '{proxy}', which is not an IP address (e.g. 10.0.0.2)")
                .Concat(options.KnownNetworks.Where(network => !IPNetwork.TryParse(network, out _))
                    .Select(network => $"{SectionName}:KnownNetworks has '{network}', which is not a network in CIDR form (e.g. 10.0.0.0/8)"))
                .ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
