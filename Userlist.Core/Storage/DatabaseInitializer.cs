using Microsoft.EntityFrameworkCore;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

/// <summary>
/// Brings the database up to date before anything else starts (it runs in the host's Starting
/// phase, ahead of the web server and the writer): applies the provider's committed migrations.
/// </summary>
internal sealed class DatabaseInitializer(IDbContextFactory<RelayDbContext> databases, SettingsOverrides overrides)
    : StartingPhase
{
    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            await db.Database.MigrateQuietlyAsync(cancellationToken);
        }

        // Settings saved in the dashboard can be read now that their table surely exists.
        overrides.Reload();
    }
}
