namespace Userlist.Core.Configuration;

/// <summary>Encrypts secrets before they are stored (the web host backs it with ASP.NET Core Data Protection).</summary>
public interface ISecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
