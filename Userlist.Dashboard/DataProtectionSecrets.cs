using Microsoft.AspNetCore.DataProtection;
using Userlist.Core.Configuration;

namespace Userlist.Dashboard;

/// <summary>Encrypts stored secrets (the Push API key) with ASP.NET Core Data Protection.</summary>
internal sealed class DataProtectionSecrets(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector protector = provider.CreateProtector("Userlist.Relay.Secrets");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
