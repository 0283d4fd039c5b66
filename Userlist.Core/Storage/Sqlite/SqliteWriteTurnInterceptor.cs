using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Userlist.Core.Storage.Sqlite;

/// <summary>
/// Puts EF's SQLite writes in the queue of <see cref="SqliteWriteTurns"/>: a transaction holds a
/// turn from its start to its end (a SQLite transaction takes the write lock at BEGIN IMMEDIATE),
/// and a statement outside one that may write holds one while it runs. Closing or disposing a
/// connection passes on whatever turn it still holds, so a transaction disposed without commit or
/// rollback never leaves the queue stuck.
/// </summary>
internal sealed class SqliteWriteTurnInterceptor(SqliteWriteTurns turns) : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    private readonly ConcurrentDictionary<Guid, IDisposable> transactions = new();
    private readonly ConcurrentDictionary<DbCommand, Held> statements = new();

    // The interceptor begins the transaction itself, so that a BEGIN that fails (the file locked by
    // another process past the timeout, a cancellation) passes the turn on at once.
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        var turn = turns.Take();
        try
        {
            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            transactions[eventData.ConnectionId] = turn;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var turn = await turns.TakeAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            transactions[eventData.ConnectionId] = turn;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => EndTransaction(eventData.ConnectionId);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(eventData.ConnectionId);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => EndTransaction(eventData.ConnectionId);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(eventData.ConnectionId);

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => EndTransaction(eventData.ConnectionId);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        EndTransactionAsync(eventData.ConnectionId);

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        StartStatement(command, eventData.ConnectionId);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await StartStatementAsync(command, eventData.ConnectionId, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        StartStatement(command, eventData.ConnectionId);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await StartStatementAsync(command, eventData.ConnectionId, cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        StartStatement(command, eventData.ConnectionId);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        await StartStatementAsync(command, eventData.ConnectionId, cancellationToken);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        EndStatement(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        EndStatement(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return ValueTask.FromResult(result);
    }

    // A reader's statement holds the lock until the reader is done with it (INSERT ... RETURNING).
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        EndStatement(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        EndStatement(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        EndStatement(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => EndStatement(command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => EndStatement(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return Task.CompletedTask;
    }

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EndAll(eventData.ConnectionId);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EndAll(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EndAll(eventData.ConnectionId);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        EndAll(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// Outside a transaction, a statement that is not a plain read writes in its own implicit
    /// transaction (EF's ExecuteUpdate and ExecuteDelete, a single-row SaveChanges).
    /// </summary>
    private static bool MayWriteAlone(DbCommand command) =>
        command.Transaction is null
        && !command.CommandText.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
        && !command.CommandText.AsSpan().TrimStart().StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase);

    private void StartStatement(DbCommand command, Guid connectionId)
    {
        if (MayWriteAlone(command))
        {
            statements[command] = new Held(connectionId, turns.Take());
        }
    }

    private async Task StartStatementAsync(DbCommand command, Guid connectionId, CancellationToken cancellationToken)
    {
        if (MayWriteAlone(command))
        {
            statements[command] = new Held(connectionId, await turns.TakeAsync(cancellationToken));
        }
    }

    private void EndStatement(DbCommand command)
    {
        if (statements.TryRemove(command, out var held))
        {
            held.Turn.Dispose();
        }
    }

    private void EndTransaction(Guid connectionId)
    {
        if (transactions.TryRemove(connectionId, out var turn))
        {
            turn.Dispose();
        }
    }

    private Task EndTransactionAsync(Guid connectionId)
    {
        EndTransaction(connectionId);
        return Task.CompletedTask;
    }

    private void EndAll(Guid connectionId)
    {
        EndTransaction(connectionId);
        foreach (var (command, held) in statements)
        {
            if (held.ConnectionId == connectionId)
            {
                EndStatement(command);
            }
        }
    }

    private sealed record Held(Guid ConnectionId, IDisposable Turn);
}
