namespace Userlist.Dashboard.Operations;

public static class OperationsSetup
{
    /// <summary>Running it in production: listen addresses, trusted proxies, health checks, client errors logged briefly.</summary>
    public static WebApplicationBuilder AddRelayOperations(this WebApplicationBuilder builder)
    {
        builder.ListenOnDefaultAddressUnlessGiven();
        builder.Services.AddTrustedProxies();
        builder.Services.AddRelayHealthChecks();
        builder.Services.AddSingleton<ClientErrors>();
        return builder;
    }
}
