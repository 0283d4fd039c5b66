using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Userlist.Core.Storage;

/// <summary>
/// How the services that pages, endpoints and jobs await do their database work, whatever the
/// provider: off the caller's thread, and with the provider's failures as
/// <see cref="StorageUnavailableException"/>, so callers catch one exception and name no provider.
/// </summary>
public static class StorageCalls
{
    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool: a driver may do its I/O synchronously behind
    /// an async signature (SQLite's does), and a page should paint its progress bar and keep its
    /// circuit responsive meanwhile. A <see cref="DbException"/>, bare or wrapped by EF, comes out as
    /// <see cref="StorageUnavailableException"/> with it as the inner exception; anything else (a
    /// bad argument, a query EF can't translate, cancellation) comes out as thrown.
    /// </summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        try
        {
            return await work();
        }
        catch (Exception exception) when (ProviderFailure(exception) is { } failure)
        {
            throw new StorageUnavailableException($"The database is unavailable right now ({failure.Message.Trim().TrimEnd('.')})", exception);
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{Task{T}})"/>
    public static Task RunAsync(Func<Task> work) => RunAsync(async () =>
    {
        await work();
        return true;
    });

    /// <summary>
    /// The provider's own exception, thrown bare or wrapped by EF: on saving changes, by an execution
    /// strategy that took it for a transient failure, or by one that ran out of retries.
    /// </summary>
    private static DbException? ProviderFailure(Exception exception) => exception switch
    {
        DbException provider => provider,
        DbUpdateException or InvalidOperationException or RetryLimitExceededException when exception.InnerException is { } inner => ProviderFailure(inner),
        _ => null,
    };
}
