using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Connectors.DuckDb.Sinks;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Lookup;

/// <summary>
/// Reads the rows of a DuckDB table by key for a lookup join. <see cref="Lookup"/> (SQL's <c>FOR SYSTEM_TIME AS OF</c>)
/// runs one prepared, parameterized <c>SELECT … FROM "table" WHERE "k1" = $1 AND …</c> over a connection of its own to
/// the database file (opened by <see cref="Open"/>; DuckDB.NET shares the file's database with the warehouse sinks of
/// this process). <see cref="LookupBatchAsync"/> (<c>DataStream.LookupAsync</c>) answers a whole batch with one query
/// (<c>WHERE "k" IN ($1, $2, …)</c>, or one <c>("a" = $1 AND "b" = $2)</c> term per key for a composite key).
/// Scalar columns only (a nested column is stored as text and cannot be read back).
/// </summary>
/// <remarks>
/// Threading, after DuckDB's model (one database per file and process, many connections, each used by one thread at a
/// time): <see cref="Lookup"/> runs on the subtask's thread only, on its own connection. Each batch runs on the thread
/// pool (DuckDB.NET's queries are synchronous, and the task thread must not wait) on a connection taken from a pool of
/// idle ones — opened when none is idle, so overlapping batches never share one — and returned after. After a failed
/// query that connection is closed, and the next call (a retry of <see cref="LookupOptions"/> or of the async lookup
/// operator) opens a new one.
/// </remarks>
internal sealed class DuckDbLookupSource : ILookupSource, IAsyncLookupSource
{
    private readonly string _databasePath;
    private readonly string _table;
    private readonly int[] _keyIndexes;
    private readonly DataTypeKind[] _kinds;
    private readonly string _select; // SELECT … FROM "table"
    private readonly string _sql;
    private DuckDBConnection? _connection;
    private DuckDBCommand? _query;
    private readonly ConcurrentBag<DuckDBConnection> _idle = [];
    private bool _opened;
    private volatile bool _disposed;

    /// <summary>Creates the source; opens nothing.</summary>
    /// <param name="databasePath">The database file (absolute).</param>
    /// <param name="table">The table to read.</param>
    /// <param name="schema">The table's columns (scalar types only; checked by the factory).</param>
    /// <param name="keyIndexes">The key columns' indexes in <paramref name="schema"/>, in key order (at least one).</param>
    public DuckDbLookupSource(string databasePath, string table, Schema schema, int[] keyIndexes)
    {
        _databasePath = databasePath;
        _table = table;
        Schema = schema;
        _keyIndexes = keyIndexes;
        var keyFields = new Field[keyIndexes.Length];
        var conditions = new string[keyIndexes.Length];
        for (var i = 0; i < keyIndexes.Length; i++)
        {
            keyFields[i] = schema[keyIndexes[i]];
            conditions[i] = string.Create(CultureInfo.InvariantCulture, $"{TableSchema.Quote(keyFields[i].Name)} = ${i + 1}");
        }
        KeySchema = new Schema(keyFields);
        _kinds = new DataTypeKind[schema.Count];
        var columns = new string[schema.Count];
        for (var i = 0; i < schema.Count; i++)
        {
            _kinds[i] = schema[i].Type.Kind;
            columns[i] = TableSchema.Quote(schema[i].Name);
        }
        _select = $"SELECT {string.Join(", ", columns)} FROM {TableSchema.Quote(table)}";
        _sql = $"{_select} WHERE {string.Join(" AND ", conditions)}";
    }

    /// <inheritdoc />
    public Schema KeySchema { get; }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <summary>The query run per lookup; for tests and diagnostics.</summary>
    internal string Sql => _sql;

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be opened, or it has no table of this name.</exception>
    public void Open(LookupContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _opened = true;
        Query();
        using var exists = _connection!.Command("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1", _table);
        if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            throw new IOException($"The DuckDB lookup table '{_table}' does not exist in '{_databasePath}'.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Row> Lookup(Row key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_opened)
        {
            throw new InvalidOperationException($"The DuckDB lookup source of table '{_table}' was not opened: call Open first.");
        }
        if (!ReferenceEquals(key.Schema, KeySchema) && !key.Schema.Equals(KeySchema))
        {
            throw new ArgumentException($"The lookup of table '{_table}' takes keys of {KeySchema}, not of {key.Schema}.", nameof(key));
        }
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            if (key.IsNull(i))
            {
                return [];
            }
        }
        try
        {
            var query = Query();
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                query.Parameters[i].Value = Parameter(key, i);
            }
            List<Row>? rows = null;
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read())
                {
                    (rows ??= []).Add(Read(reader));
                }
            }
            return rows is null ? [] : rows;
        }
        catch (Exception e) when (e is DuckDBException or DbException or InvalidOperationException)
        {
            // The connection may be unusable now: the next call (a retry) opens a new one.
            CloseConnection();
            throw new IOException($"The lookup of key {key} in DuckDB table '{_table}' of '{_databasePath}' failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The query failed (the message names the table, the file and the batch).</exception>
    public Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_opened)
        {
            throw new InvalidOperationException($"The DuckDB lookup source of table '{_table}' was not opened: call Open first.");
        }
        var distinct = new List<Row>(keys.Count);
        var seen = new HashSet<Row>();
        foreach (var key in keys)
        {
            if (!ReferenceEquals(key.Schema, KeySchema) && !key.Schema.Equals(KeySchema))
            {
                throw new ArgumentException($"The lookup of table '{_table}' takes keys of {KeySchema}, not of {key.Schema}.", nameof(keys));
            }
            if (!HasNull(key) && seen.Add(key))
            {
                distinct.Add(key);
            }
        }
        if (distinct.Count == 0)
        {
            return Task.FromResult(Answer(keys, []));
        }
        return Task.Run(() => Answer(keys, QueryBatch(distinct, cancellationToken)), cancellationToken);
    }

    /// <summary>The batch query for <paramref name="count"/> keys.</summary>
    internal string BatchSql(int count)
    {
        var sql = new StringBuilder(_sql.Length + count * 8 * _keyIndexes.Length);
        sql.Append(_select).Append(" WHERE ");
        if (_keyIndexes.Length == 1)
        {
            sql.Append(TableSchema.Quote(KeySchema[0].Name)).Append(" IN (");
            for (var k = 0; k < count; k++)
            {
                sql.Append(k == 0 ? "$" : ", $").Append(k + 1);
            }
            return sql.Append(')').ToString();
        }
        for (var k = 0; k < count; k++)
        {
            sql.Append(k == 0 ? "(" : " OR (");
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                sql.Append(i == 0 ? "" : " AND ").Append(TableSchema.Quote(KeySchema[i].Name)).Append(" = $").Append(k * _keyIndexes.Length + i + 1);
            }
            sql.Append(')');
        }
        return sql.ToString();
    }

    /// <summary>Runs one batch on a thread-pool thread: the rows found, by key.</summary>
    private Dictionary<Row, List<Row>> QueryBatch(List<Row> keys, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DuckDBConnection connection;
        if (!_idle.TryTake(out connection!))
        {
            try
            {
                connection = DuckDbConnections.Open(_databasePath);
            }
            catch (DuckDBException e)
            {
                throw new IOException($"The DuckDB lookup of table '{_table}' cannot open '{_databasePath}': {e.Message}", e);
            }
        }
        var returned = false;
        try
        {
            var found = new Dictionary<Row, List<Row>>();
            using (var query = connection.CreateCommand())
            {
                query.CommandText = BatchSql(keys.Count);
                foreach (var key in keys)
                {
                    for (var i = 0; i < _keyIndexes.Length; i++)
                    {
                        query.Parameters.Add(new DuckDBParameter(Parameter(key, i)));
                    }
                }
                using var reader = query.ExecuteReader();
                while (reader.Read())
                {
                    var row = Read(reader);
                    var probe = new Row(KeySchema);
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
            Return(connection);
            returned = true;
            return found;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IOException($"The lookup of {keys.Count} key(s) (the first {keys[0]}) in DuckDB table '{_table}' of '{_databasePath}' failed: {e.Message}", e);
        }
        finally
        {
            if (!returned)
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>
    /// Puts a connection back in the pool, or closes it once the source is disposed. A batch still running when
    /// <see cref="Dispose"/> drains the pool may add its connection after the drain: it drains again after adding.
    /// </summary>
    private void Return(DuckDBConnection connection)
    {
        _idle.Add(connection);
        if (_disposed)
        {
            while (_idle.TryTake(out var idle))
            {
                idle.Dispose();
            }
        }
    }

    private static IReadOnlyList<IReadOnlyList<Row>> Answer(IReadOnlyList<Row> keys, Dictionary<Row, List<Row>> found)
    {
        var results = new IReadOnlyList<Row>[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            results[k] = found.TryGetValue(keys[k], out var rows) ? rows : [];
        }
        return results;
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

    private DuckDBCommand Query()
    {
        if (_query is not null)
        {
            return _query;
        }
        try
        {
            _connection = DuckDbConnections.Open(_databasePath);
        }
        catch (DuckDBException e)
        {
            throw new IOException($"The DuckDB lookup of table '{_table}' cannot open '{_databasePath}': {e.Message}", e);
        }
        var query = _connection.CreateCommand();
        query.CommandText = _sql;
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            query.Parameters.Add(new DuckDBParameter());
        }
        _query = query;
        return query;
    }

    private object Parameter(Row key, int i) => KeySchema[i].Type.Kind switch
    {
        DataTypeKind.Boolean => key.GetBoolean(i),
        DataTypeKind.Int => key.GetInt32(i),
        DataTypeKind.BigInt => key.GetInt64(i),
        DataTypeKind.Float => key.GetSingle(i),
        DataTypeKind.Double => key.GetDouble(i),
        DataTypeKind.Decimal => key.GetDecimal(i),
        DataTypeKind.Varchar => key.GetString(i)!,
        DataTypeKind.Bytes => key.GetBytes(i)!,
        DataTypeKind.Date => key.GetDate(i),
        DataTypeKind.Time => key.GetTime(i),
        DataTypeKind.Timestamp => key.GetTimestamp(i),
        DataTypeKind.TimestampLtz => key.GetTimestampLtz(i),
        _ => throw new NotSupportedException($"Key column '{KeySchema[i].Name}' of DuckDB lookup table '{_table}' has type {KeySchema[i].Type}, which cannot be a lookup key."),
    };

    private Row Read(DbDataReader reader)
    {
        var row = new Row(Schema);
        for (var i = 0; i < _kinds.Length; i++)
        {
            if (reader.IsDBNull(i))
            {
                row.SetNull(i);
                continue;
            }
            switch (_kinds[i])
            {
                case DataTypeKind.Boolean:
                    row.SetBoolean(i, reader.GetBoolean(i));
                    break;
                case DataTypeKind.Int:
                    row.SetInt32(i, reader.GetInt32(i));
                    break;
                case DataTypeKind.BigInt:
                    row.SetInt64(i, reader.GetInt64(i));
                    break;
                case DataTypeKind.Float:
                    row.SetSingle(i, reader.GetFloat(i));
                    break;
                case DataTypeKind.Double:
                    row.SetDouble(i, reader.GetDouble(i));
                    break;
                case DataTypeKind.Decimal:
                    row.SetDecimal(i, reader.GetDecimal(i));
                    break;
                case DataTypeKind.Varchar:
                    row.SetString(i, reader.GetString(i));
                    break;
                case DataTypeKind.Bytes:
                    row.SetBytes(i, ReadBytes(reader, i));
                    break;
                case DataTypeKind.Date:
                    row.SetDate(i, reader.GetFieldValue<DateOnly>(i));
                    break;
                case DataTypeKind.Time:
                    row.SetTime(i, reader.GetFieldValue<TimeOnly>(i));
                    break;
                case DataTypeKind.Timestamp:
                    row.SetTimestamp(i, reader.GetDateTime(i));
                    break;
                case DataTypeKind.TimestampLtz:
                    row.SetTimestampLtz(i, reader.GetFieldValue<DateTimeOffset>(i));
                    break;
                default:
                    throw new NotSupportedException($"Column '{Schema[i].Name}' of DuckDB lookup table '{_table}' has type {Schema[i].Type}, which a lookup cannot read.");
            }
        }
        return row;
    }

    private static byte[] ReadBytes(DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private void CloseConnection()
    {
        _query?.Dispose();
        _query = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        CloseConnection();
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
