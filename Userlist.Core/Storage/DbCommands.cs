using System.Data.Common;

namespace Userlist.Core.Storage;

/// <summary>
/// ADO.NET in the SQL both providers read alike: quoted identifiers and <c>@name</c> parameters,
/// for the writers that reuse one command for many rows.
/// </summary>
internal static class DbCommands
{
    public static DbCommand Command(this DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Sets the parameter's value, adding it the first time; null becomes SQL NULL.</summary>
    public static void Set(this DbCommand command, string name, object? value)
    {
        if (!command.Parameters.Contains(name))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        command.Parameters[name].Value = value ?? DBNull.Value;
    }
}
