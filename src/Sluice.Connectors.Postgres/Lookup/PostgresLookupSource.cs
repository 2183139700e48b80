using System.Text;
using Npgsql;
using Sluice.Connectors.Postgres.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.Postgres.Lookup;

/// <summary>
/// Reads a PostgreSQL table by key for lookup joins. <see cref="Lookup"/> (SQL's <c>FOR SYSTEM_TIME AS OF</c>, one key
/// at a time on the subtask's thread) runs a prepared <c>WHERE k = $1</c> on the subtask's own connection;
/// <see cref="LookupBatchAsync"/> (<c>DataStream.LookupAsync</c>) answers a whole batch in one round trip by joining the
/// table with the <c>unnest</c> of one array per key column, on a pooled connection per call, so calls may overlap. A key
/// with a NULL field finds no row (SQL equality); a key may find many rows when the key columns are not unique.
/// </summary>
internal sealed class PostgresLookupSource : ILookupSource, IAsyncLookupSource
{
    private readonly string _connectionString;
    private readonly string _table; // for messages
    private readonly int[] _keyIndexes; // the key columns' indexes in Schema, in key order
    private readonly string _singleSql;
    private readonly string _batchSql;
    private NpgsqlConnection? _connection;
    private NpgsqlCommand? _single;
    private NpgsqlDataSource? _pool;
    private bool _opened;

    /// <summary>Creates the source for <paramref name="qualifiedTable"/> (already quoted, e.g. <c>"public"."users"</c>); connects on <see cref="Open"/>.</summary>
    /// <exception cref="NotSupportedException">A column is not of a scalar type.</exception>
    public PostgresLookupSource(string connectionString, string qualifiedTable, string table, Schema schema, int[] keyIndexes)
    {
        _connectionString = connectionString;
        _table = table;
        _keyIndexes = keyIndexes;
        Schema = schema;
        KeySchema = new Schema([.. keyIndexes.Select(i => schema[i])]);
        var columns = string.Join(", ", schema.Select(f => "t." + PostgresColumns.Quote(f.Name)));
        var single = new StringBuilder($"SELECT {columns} FROM {qualifiedTable} AS t WHERE ");
        var batch = new StringBuilder($"SELECT {columns} FROM {qualifiedTable} AS t JOIN (SELECT DISTINCT * FROM unnest(");
        for (var i = 0; i < keyIndexes.Length; i++)
        {
            var field = schema[keyIndexes[i]];
            single.Append(i == 0 ? "" : " AND ").Append($"t.{PostgresColumns.Quote(field.Name)} = ${i + 1}");
            batch.Append(i == 0 ? "" : ", ").Append($"${i + 1}::{PostgresColumns.SqlType(field.Type, field.Name)}[]");
        }
        batch.Append(")) AS k(").Append(string.Join(", ", keyIndexes.Select((_, i) => "k" + i))).Append(") ON ");
        batch.Append(string.Join(" AND ", keyIndexes.Select((index, i) => $"t.{PostgresColumns.Quote(schema[index].Name)} = k.k{i}")));
        _singleSql = single.ToString();
        _batchSql = batch.ToString();
        foreach (var field in schema)
        {
            PostgresColumns.SqlType(field.Type, field.Name); // refuses nested types now, not on the first lookup
        }
    }

    /// <inheritdoc cref="ILookupSource.KeySchema" />
    public Schema KeySchema { get; }

    /// <inheritdoc cref="ILookupSource.Schema" />
    public Schema Schema { get; }

    /// <summary>The batched query, for tests and plans.</summary>
    internal string BatchSql => _batchSql;

    /// <inheritdoc cref="ILookupSource.Open" />
    /// <exception cref="IOException">The server refused or could not be reached (the message names the endpoint and the fix).</exception>
    public void Open(LookupContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _opened = true;
        _connection = Connect();
        _pool = NpgsqlDataSource.Create(_connectionString);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The query failed (the message names the table and the key).</exception>
    public IReadOnlyList<Row> Lookup(Row key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var connection = _connection ??= _opened ? Connect() : throw NotOpened();
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            if (key.IsNull(i))
            {
                return [];
            }
        }
        try
        {
            if (_single is null)
            {
                _single = new NpgsqlCommand(_singleSql, connection);
                for (var i = 0; i < _keyIndexes.Length; i++)
                {
                    _single.Parameters.Add(new NpgsqlParameter { Value = key.GetValue(i) });
                }
                _single.Prepare();
            }
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                _single.Parameters[i].Value = key.GetValue(i);
            }
            using var reader = _single.ExecuteReader();
            List<Row>? rows = null;
            while (reader.Read())
            {
                (rows ??= []).Add(ReadRow(reader));
            }
            return rows is null ? [] : rows;
        }
        catch (NpgsqlException e)
        {
            // The connection may be broken: the next call (a retry) reconnects.
            _single?.Dispose();
            _single = null;
            _connection.Dispose();
            _connection = null;
            throw new IOException($"The lookup of key {key} in PostgreSQL table '{_table}' failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The query failed (the message names the table and the batch size).</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pool = _pool ?? throw NotOpened();
        var arrays = new Array[_keyIndexes.Length];
        for (var i = 0; i < arrays.Length; i++)
        {
            arrays[i] = Array.CreateInstance(ClrType(KeySchema[i].Type), keys.Count);
        }
        var count = 0;
        foreach (var key in keys)
        {
            if (!HasNull(key))
            {
                for (var i = 0; i < arrays.Length; i++)
                {
                    arrays[i].SetValue(key.GetValue(i), count);
                }
                count++;
            }
        }
        var found = new Dictionary<Row, List<Row>>();
        if (count > 0)
        {
            try
            {
                await using var command = pool.CreateCommand(_batchSql);
                foreach (var array in arrays)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = count == array.Length ? array : Slice(array, count) });
                }
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                var keySchema = keys[0].Schema;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = ReadRow(reader);
                    var probe = new Row(keySchema);
                    for (var i = 0; i < _keyIndexes.Length; i++)
                    {
                        probe.SetValue(i, row.GetValue(_keyIndexes[i]));
                    }
                    if (!found.TryGetValue(probe, out var rows))
                    {
                        found.Add(probe, rows = []);
                    }
                    rows.Add(row);
                }
            }
            catch (NpgsqlException e)
            {
                throw new IOException($"The lookup of {count} key(s) (the first {keys[0]}) in PostgreSQL table '{_table}' failed: {e.Message}", e);
            }
        }
        var results = new IReadOnlyList<Row>[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            results[k] = found.TryGetValue(keys[k], out var rows) ? rows : [];
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _single?.Dispose();
        _connection?.Dispose();
        _pool?.Dispose();
    }

    private bool HasNull(Row key)
    {
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            if (key.IsNull(i))
            {
                return true;
            }
        }
        return false;
    }

    private Row ReadRow(NpgsqlDataReader reader)
    {
        var row = new Row(Schema);
        for (var i = 0; i < Schema.Count; i++)
        {
            if (!reader.IsDBNull(i))
            {
                row.SetValue(i, Read(reader, i, Schema[i].Type.Kind));
            }
        }
        return row;
    }

    private static object Read(NpgsqlDataReader reader, int ordinal, DataTypeKind kind) => kind switch
    {
        DataTypeKind.Boolean => reader.GetBoolean(ordinal),
        DataTypeKind.Int => reader.GetInt32(ordinal),
        DataTypeKind.BigInt => reader.GetInt64(ordinal),
        DataTypeKind.Float => reader.GetFloat(ordinal),
        DataTypeKind.Double => reader.GetDouble(ordinal),
        DataTypeKind.Decimal => reader.GetDecimal(ordinal),
        DataTypeKind.Varchar => reader.GetString(ordinal),
        DataTypeKind.Bytes => reader.GetFieldValue<byte[]>(ordinal),
        DataTypeKind.Date => reader.GetFieldValue<DateOnly>(ordinal),
        DataTypeKind.Time => reader.GetFieldValue<TimeOnly>(ordinal),
        DataTypeKind.Timestamp => reader.GetDateTime(ordinal),
        DataTypeKind.TimestampLtz => reader.GetFieldValue<DateTimeOffset>(ordinal),
        _ => throw new NotSupportedException($"Column type {kind} is not readable by the PostgreSQL lookup."),
    };

    /// <summary>The CLR type of a key column's values (<see cref="DataType.ClrType"/>); a nested key type is refused.</summary>
    private static Type ClrType(DataType type) => type.Kind is DataTypeKind.Row or DataTypeKind.Array or DataTypeKind.Map
        ? throw new NotSupportedException($"Key column type {type.Kind} is not supported by the PostgreSQL lookup.")
        : type.ClrType;

    private static Array Slice(Array array, int count)
    {
        var slice = Array.CreateInstance(array.GetType().GetElementType()!, count);
        Array.Copy(array, slice, count);
        return slice;
    }

    private NpgsqlConnection Connect() =>
        PostgresConnections.Open(_connectionString, $"the lookup of table '{_table}'", static (message, inner) => new IOException(message, inner));

    private InvalidOperationException NotOpened() => new($"The PostgreSQL lookup source of table '{_table}' was not opened: call Open first.");
}
