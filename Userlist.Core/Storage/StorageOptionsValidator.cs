using Microsoft.Extensions.Options;
using Userlist.Core.Configuration;
using Userlist.Core.Storage.Postgres;
using Userlist.Core.Storage.Sqlite;

namespace Userlist.Core.Storage;

/// <summary>
/// The provider is one of ours, and the connection string is of its kind: a PostgreSQL one given to
/// the SQLite default (or the other way round) would otherwise fail deep in the start, far from the
/// key to fix. An empty string is left to <c>[Required]</c>'s message.
/// </summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var problem = options.Kind switch
        {
            null => $"Storage:Provider must be Sqlite or Postgres, not '{options.Provider}'",
            _ when options.ConnectionString.Length == 0 => null,
            StorageProvider.Sqlite => SqliteConnectionString.Problem(options.ConnectionString),
            StorageProvider.Postgres => PostgresConnectionString.Problem(options.ConnectionString),
            _ => null,
        };
        return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
    }
}
