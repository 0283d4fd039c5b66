using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Userlist.Core.Configuration;

namespace Userlist.Core.Storage;

internal sealed class SettingsStore(IDbContextFactory<RelayDbContext> databases, IStorageConnections connections) : ISettingsStore
{
    /// <summary>
    /// Synchronous: options are built synchronously, and this runs once per change. Plain SQL, not
    /// EF: at the first start it runs before the migrations, and EF would log the missing table as an error.
    /// </summary>
    public IReadOnlyDictionary<string, string> Read()
    {
        try
        {
            using var connection = connections.Open();
            using var command = connection.Command(null, """SELECT "Name", "Value" FROM "Settings" WHERE "Value" IS NOT NULL""");
            using var reader = command.ExecuteReader();
            var values = new Dictionary<string, string>();
            while (reader.Read())
            {
                values[reader.GetString(0)] = reader.GetString(1);
            }

            return values;
        }
        catch (DbException)
        {
            // Before the first migration there is no Settings table: nothing is overridden yet.
            return new Dictionary<string, string>();
        }
    }

    public Task SaveAsync(IReadOnlyDictionary<string, string?> values, DateTime atUtc, CancellationToken cancellationToken) => StorageCalls.RunAsync(async () =>
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var names = values.Keys.ToList();
        var saved = await db.Settings.Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, cancellationToken);
        foreach (var (name, value) in values)
        {
            if (saved.TryGetValue(name, out var setting))
            {
                if (value is null)
                {
                    db.Settings.Remove(setting);
                }
                else
                {
                    (setting.Value, setting.UpdatedAt) = (value, atUtc);
                }
            }
            else if (value is not null)
            {
                db.Settings.Add(new RelaySetting { Name = name, Value = value, UpdatedAt = atUtc });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    });
}
