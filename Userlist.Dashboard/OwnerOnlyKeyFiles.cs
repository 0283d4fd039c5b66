using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;
using Userlist.Core.Storage;

namespace Userlist.Dashboard;

/// <summary>
/// Data Protection's key files in a folder of the relay's, readable by its own user alone (folder
/// 0700, files 0600): whoever reads a key file can decrypt the saved Push API key.
/// </summary>
internal sealed class OwnerOnlyKeyFiles : IXmlRepository
{
    private readonly string folder;
    private readonly FileSystemXmlRepository files;

    public OwnerOnlyKeyFiles(string folder)
    {
        this.folder = folder;
        OwnerOnly.CreateFolder(folder);
        files = new FileSystemXmlRepository(new DirectoryInfo(folder), NullLoggerFactory.Instance);
    }

    public IReadOnlyCollection<XElement> GetAllElements() => files.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        files.StoreElement(element, friendlyName);

        // The repository names the file after friendlyName when it is a safe file name, else a new GUID: restrict every key file.
        foreach (var key in Directory.EnumerateFiles(folder, "*.xml"))
        {
            OwnerOnly.Restrict(key);
        }
    }
}
