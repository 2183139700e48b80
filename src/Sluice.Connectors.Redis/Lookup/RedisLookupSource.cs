using System.Globalization;
using Sluice.Connectors.Redis.Sinks;
using Sluice.Schemas;
using StackExchange.Redis;

namespace Sluice.Connectors.Redis.Lookup;

/// <summary>
/// Reads an entity's hash by key for a lookup join: the key is made from the join key with the table's key pattern,
/// <c>HGETALL</c> reads it, and the hash fields become the row's columns, parsed back from the text the Redis sink
/// writes (<see cref="RedisFeatureValues"/>); a column without a field is NULL, a missing key finds no row. The join
/// key must be exactly the key pattern's columns. <see cref="Lookup"/> serves SQL's lookup join, one key at a time on the
/// subtask's thread; <see cref="LookupBatchAsync"/> serves <c>DataStream.LookupAsync</c>, many keys per round trip as one
/// pipelined batch of <c>HGETALL</c>s, and may run concurrently with itself (it shares no scratch state).
/// </summary>
internal sealed class RedisLookupSource : ILookupSource, IAsyncLookupSource
{
    private readonly string _configuration;
    private readonly int _connectAttempts;
    private readonly string _table;
    private readonly RedisKeyPattern _pattern;
    private readonly int[] _keyIndexes; // the key columns' indexes in Schema, in key order
    private ConnectionMultiplexer? _connection;
    private IDatabase? _database;
    private Row? _scratch;

    /// <summary>Creates the source; connects on <see cref="Open"/>.</summary>
    public RedisLookupSource(string configuration, int connectAttempts, string table, RedisKeyPattern pattern, Schema schema, int[] keyIndexes)
    {
        _configuration = configuration;
        _connectAttempts = connectAttempts;
        _table = table;
        _pattern = pattern;
        _keyIndexes = keyIndexes;
        Schema = schema;
        KeySchema = new Schema([.. keyIndexes.Select(i => schema[i])]);
    }

    /// <inheritdoc />
    public Schema KeySchema { get; }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    /// <exception cref="IOException">Redis is unreachable or refuses the login (the message names the endpoint).</exception>
    public void Open(LookupContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            _connection = RedisConnections.Connect(_configuration, _connectAttempts, $"the lookup of Redis table '{_table}'");
        }
        catch (RedisSinkException e)
        {
            throw new IOException(e.Message, e);
        }
        _database = _connection.GetDatabase();
        _scratch = new Row(Schema);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The read failed, or a field holds text that is not a value of its column's type (the message names the key and the field).</exception>
    public IReadOnlyList<Row> Lookup(Row key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_database is null || _scratch is null)
        {
            throw new InvalidOperationException($"The Redis lookup source of table '{_table}' was not opened: call Open first.");
        }
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            if (key.IsNull(i))
            {
                return [];
            }
            _scratch.SetValue(_keyIndexes[i], key.GetValue(i));
        }
        var redisKey = _pattern.Format(_scratch);
        HashEntry[] entries;
        try
        {
            entries = _database.HashGetAll(redisKey);
        }
        catch (RedisException e)
        {
            throw new IOException($"The lookup of key '{redisKey}' for Redis table '{_table}' failed: {e.Message}", e);
        }
        return entries.Length == 0 ? [] : [ToRow(key, entries, redisKey)];
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The read failed, or a field holds text that is not a value of its column's type (the message names the key and the field).</exception>
    public async Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var database = _database ?? throw new InvalidOperationException($"The Redis lookup source of table '{_table}' was not opened: call Open first.");
        var scratch = new Row(Schema); // per call: calls may overlap
        var redisKeys = new RedisKey[keys.Count];
        var reads = new Task<HashEntry[]>?[keys.Count];
        var batch = database.CreateBatch();
        for (var k = 0; k < keys.Count; k++)
        {
            var key = keys[k];
            var hasNull = false;
            for (var i = 0; i < _keyIndexes.Length; i++)
            {
                if (key.IsNull(i))
                {
                    hasNull = true;
                    break;
                }
                scratch.SetValue(_keyIndexes[i], key.GetValue(i));
            }
            if (!hasNull)
            {
                redisKeys[k] = _pattern.Format(scratch);
                reads[k] = batch.HashGetAllAsync(redisKeys[k]);
            }
        }
        batch.Execute();
        var results = new IReadOnlyList<Row>[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            if (reads[k] is not { } read)
            {
                results[k] = [];
                continue;
            }
            HashEntry[] entries;
            try
            {
                entries = await read.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RedisException e)
            {
                throw new IOException($"The lookup of key '{redisKeys[k]}' for Redis table '{_table}' failed: {e.Message}", e);
            }
            results[k] = entries.Length == 0 ? [] : [ToRow(keys[k], entries, redisKeys[k]!)];
        }
        return results;
    }

    private Row ToRow(Row key, HashEntry[] entries, string redisKey)
    {
        var row = new Row(Schema);
        for (var i = 0; i < _keyIndexes.Length; i++)
        {
            row.SetValue(_keyIndexes[i], key.GetValue(i));
        }
        foreach (var entry in entries)
        {
            var index = Schema.IndexOf(entry.Name.ToString());
            if (index >= 0 && Array.IndexOf(_keyIndexes, index) < 0)
            {
                row.SetValue(index, Parse(entry.Value, Schema[index], redisKey));
            }
        }
        return row;
    }

    /// <inheritdoc />
    public void Dispose() => _connection?.Dispose();

    private static object Parse(RedisValue value, Field field, string key)
    {
        var text = value.ToString();
        var kind = field.Type.Kind;
        var invariant = CultureInfo.InvariantCulture;
        var parsed = kind switch
        {
            DataTypeKind.Boolean => bool.TryParse(text, out var b) ? b : null,
            DataTypeKind.Int => int.TryParse(text, NumberStyles.Integer, invariant, out var i) ? i : null,
            DataTypeKind.BigInt => long.TryParse(text, NumberStyles.Integer, invariant, out var l) ? l : null,
            DataTypeKind.Float => float.TryParse(text, NumberStyles.Float, invariant, out var f) ? f : null,
            DataTypeKind.Double => double.TryParse(text, NumberStyles.Float, invariant, out var d) ? d : null,
            DataTypeKind.Decimal => decimal.TryParse(text, NumberStyles.Number, invariant, out var m) ? m : null,
            DataTypeKind.Varchar => text,
            DataTypeKind.Bytes => (byte[]?)value,
            DataTypeKind.Date => DateOnly.TryParse(text, invariant, out var date) ? date : null,
            DataTypeKind.Time => TimeOnly.TryParse(text, invariant, out var time) ? time : null,
            DataTypeKind.Timestamp => DateTime.TryParse(text, invariant, DateTimeStyles.None, out var ts) ? ts : null,
            DataTypeKind.TimestampLtz => DateTimeOffset.TryParse(text, invariant, DateTimeStyles.AssumeUniversal, out var instant) ? instant : null,
            _ => (object?)null,
        };
        return parsed ?? throw new IOException($"Field '{field.Name}' of Redis key '{key}' holds '{text}', which is not a {field.Type}.");
    }
}
