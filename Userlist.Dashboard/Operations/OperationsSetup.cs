namespace Userlist.Dashboard.Operations;

public static class OperationsSetup
{
    /// <summary>Running it in production: listen addresses, trusted proxies, health checks.</summary>
    public static WebApplicationBuilder AddRelayOperations(this WebApplicationBuilder builder)
    {
        builder.ListenOnDefaultAddressUnlessGiven();
        builder.Services.AddTrustedProxies();
        builder.Services.AddRelayHealthChecks();
        return builder;
    }
}
