namespace Userlist.Dashboard.Operations;

/// <summary>
/// Where the relay listens: wherever <c>Urls</c>, <c>ASPNETCORE_URLS</c>, <c>--urls</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c> or <c>Kestrel:Endpoints</c> say, as in any
/// ASP.NET Core app, and http://localhost:5080 only when none of them is given. (A default in
/// appsettings.json would win over the ports variables, which ASP.NET Core reads only without urls.)
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://localhost:5080";

    public static WebApplicationBuilder ListenOnDefaultAddressUnlessGiven(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var given = new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }
                .Any(key => !string.IsNullOrWhiteSpace(configuration[key]))
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!given)
        {
            builder.WebHost.UseUrls(Default);
        }

        return builder;
    }
}
