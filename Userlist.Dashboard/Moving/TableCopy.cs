using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Userlist.Dashboard.Moving;

/// <summary>A table and how many rows went into it.</summary>
internal sealed record CopiedTable(string Name, long Rows);

/// <summary>
/// Copies a table of an EF model from SQLite into the same table on PostgreSQL, every column as
/// stored (keys included, so call numbers and the links between rows stay), by PostgreSQL's binary
/// COPY: one stream per table instead of a statement per row. The columns and their types come
/// from the PostgreSQL context's model, so a column added by a migration is copied without a change here.
/// </summary>
internal static class TableCopy
{
    /// <summary>Writes one column of the current row; the value is not null.</summary>
    private delegate Task ColumnWriter(DbDataReader row, int ordinal, NpgsqlBinaryImporter copy, CancellationToken cancellationToken);

    /// <summary>
    /// The tables of the target model that the source model has too, each after the tables its
    /// foreign keys point at, so every row finds the rows it refers to already there.
    /// </summary>
    public static IReadOnlyList<IEntityType> InCopyOrder(IModel target, IModel source)
    {
        var pending = target.GetEntityTypes().Where(t => t.GetTableName() is not null && source.FindEntityType(t.Name) is not null).ToList();
        var ordered = new List<IEntityType>();
        while (pending.Count > 0)
        {
            var ready = pending.First(t => t.GetForeignKeys().All(key => key.PrincipalEntityType == t || !pending.Contains(key.PrincipalEntityType)));
            ordered.Add(ready);
            pending.Remove(ready);
        }

        return ordered;
    }

    /// <summary>Copies every row of the table; the target's transaction is the connection's current one.</summary>
    public static async Task<CopiedTable> CopyAsync(DbConnection source, NpgsqlConnection target, IEntityType table, CancellationToken cancellationToken)
    {
        var name = table.GetTableName()!;
        var properties = table.GetProperties().ToList();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName())));
        var writers = properties.Select(Writer).ToList();
        var order = string.Join(", ", table.FindPrimaryKey()!.Properties.Select(p => Quote(p.GetColumnName())));

        await using var read = source.CreateCommand();
        read.CommandText = $"SELECT {columns} FROM {Quote(name)} ORDER BY {order}";
        await using var rows = await read.ExecuteReaderAsync(cancellationToken);
        await using var copy = await target.BeginBinaryImportAsync($"COPY {Quote(name)} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            await copy.StartRowAsync(cancellationToken);
            for (var ordinal = 0; ordinal < writers.Count; ordinal++)
            {
                if (rows.IsDBNull(ordinal))
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await writers[ordinal](rows, ordinal, copy, cancellationToken);
                }
            }
        }

        return new CopiedTable(name, (long)await copy.CompleteAsync(cancellationToken));
    }

    /// <summary>
    /// Sets the table's identity sequence past the highest key copied, or past the source's own
    /// high-water mark (SQLite's AUTOINCREMENT never reuses the key of a deleted row): new rows
    /// then never take a number an old one had, to which the audit log or a link may still point.
    /// </summary>
    public static async Task ContinueKeysAsync(NpgsqlConnection target, IEntityType table, long? sourceHighWater, CancellationToken cancellationToken)
    {
        if (table.FindPrimaryKey()!.Properties is not [var key] || (key.ClrType != typeof(long) && key.ClrType != typeof(int)))
        {
            return;
        }

        var name = Quote(table.GetTableName()!);
        await using var command = new NpgsqlCommand($"""
            SELECT setval(pg_get_serial_sequence(@table, @column), last)
            FROM (SELECT greatest(max({Quote(key.GetColumnName())}), @highWater) AS last FROM {name}) AS copied
            WHERE last > 0 AND pg_get_serial_sequence(@table, @column) IS NOT NULL
            """, target);
        command.Parameters.AddWithValue("table", name);
        command.Parameters.AddWithValue("column", key.GetColumnName());
        command.Parameters.Add(new NpgsqlParameter<long?>("highWater", NpgsqlDbType.Bigint) { TypedValue = sourceHighWater });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Reads a column as its provider type from SQLite and writes it as PostgreSQL's.</summary>
    private static ColumnWriter Writer(IProperty property)
    {
        var stored = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
        var type = Nullable.GetUnderlyingType(stored) ?? stored;
        return type switch
        {
            _ when type == typeof(long) => (row, i, copy, ct) => copy.WriteAsync(row.GetInt64(i), NpgsqlDbType.Bigint, ct),
            _ when type == typeof(int) => (row, i, copy, ct) => copy.WriteAsync(row.GetInt32(i), NpgsqlDbType.Integer, ct),
            _ when type == typeof(bool) => (row, i, copy, ct) => copy.WriteAsync(row.GetBoolean(i), NpgsqlDbType.Boolean, ct),
            _ when type == typeof(string) => (row, i, copy, ct) => copy.WriteAsync(row.GetString(i), NpgsqlDbType.Text, ct),
            // SQLite keeps the relay's UTC times as text without a zone, so they read back Unspecified; timestamptz takes UTC only.
            _ when type == typeof(DateTime) => (row, i, copy, ct) =>
                copy.WriteAsync(DateTime.SpecifyKind(row.GetDateTime(i), DateTimeKind.Utc), NpgsqlDbType.TimestampTz, ct),
            _ when type == typeof(DateTimeOffset) => (row, i, copy, ct) =>
                copy.WriteAsync(row.GetFieldValue<DateTimeOffset>(i).ToUniversalTime(), NpgsqlDbType.TimestampTz, ct),
            _ => throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} is stored as {type.Name}, which the copy does not read"),
        };
    }
}
