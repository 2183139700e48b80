using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Schemas;
using Sluice.Sinks;
using StackExchange.Redis;

namespace Sluice.Connectors.Redis.Sinks;

/// <summary>
/// The feature-store sink: each record upserts one Redis hash per entity (key from
/// <see cref="RedisSinkOptions.KeyPattern"/>, one hash field per feature), with writes batched (many entities per
/// round trip) and pipelined (many round trips in flight), so features are readable milliseconds after their record.
/// <para>
/// <b>Guarantee: effectively once for upserts.</b> Writes go out as records arrive, not at checkpoints; after a
/// failure the job replays from its last checkpoint and writes those records again, and the final state equals an
/// uninterrupted run's. Every write carries a <b>version</b>, the checkpoint epoch of its record; a Lua script sets the
/// fields only when the hash's version field (<see cref="RedisSinkOptions.VersionField"/>) is not newer, so a write of
/// an older epoch arriving late (a retried command of a failed attempt) never overwrites newer values. The script reads
/// a hash's version only when it can be newer: every script first raises the pattern's epoch key (below) to its
/// version, so no hash is newer than that key, and a batch whose version is at least the key's skips the per-hash
/// check (the steady state; it then costs one <c>HSET</c> per entity). The epoch key must therefore outlive the hashes
/// (it has no time to live; do not delete it). The epoch of a
/// record written after checkpoint <c>n</c>'s barrier is <c>n + 1</c>. After a restore from checkpoint <c>c</c> the first
/// epoch is the largest of <c>c + 1</c> and the newest epoch the sink began before (kept in the key
/// <c>_sluice:epoch:&lt;pattern&gt;</c>), so replayed records are never refused as older than what the failed attempt
/// wrote; checkpoint ids only grow across restores, so the epochs after the first restored checkpoint are newer still.
/// While a restored job catches up, a feature may briefly show an older value.
/// </para>
/// <para>
/// A delete (<c>-D</c> of a changelog) deletes the entity's hash; <c>-U</c> is ignored (its <c>+U</c> follows); a null
/// feature removes its hash field. Records of one entity must reach one subtask (key the stream by the entity), as
/// subtasks are not ordered among themselves. Standalone and replicated Redis only: a batch touches many keys, which
/// Redis Cluster refuses.
/// </para>
/// </summary>
/// <typeparam name="T">The record type; each record becomes one <see cref="Row"/> of <see cref="Schema"/>.</typeparam>
public sealed class RedisSink<T> : ITwoPhaseSink<T>, IDisposable, Lineage.ILineageDataset
{
    /// <summary>The prefix of the key holding the newest epoch the sink began, per key pattern.</summary>
    public const string EpochKeyPrefix = "_sluice:epoch:";

    // KEYS[1] = the epoch key; KEYS[2..] = entity keys.
    // ARGV[1] = version field, ARGV[2] = version, ARGV[3] = key TTL in ms (0: none), ARGV[4] = F features, F feature
    // names, T feature TTLs, then T pairs (field, ms); then per entity: 'D' (delete), or 'U' and the F features' values,
    // or 'u' and a mask of F characters ('1': a value follows, '0': the field is removed) and the values of the '1's.
    // Feature names are sent once per batch, not per entity: the server's cost is the arguments it parses.
    private const string Script = """
        local vf, vs = ARGV[1], ARGV[2]
        local v, ttl, f = tonumber(vs), tonumber(ARGV[3]), tonumber(ARGV[4])
        local t = tonumber(ARGV[5 + f])
        local begun = tonumber(redis.call('GET', KEYS[1]))
        if begun == nil or begun < v then redis.call('SET', KEYS[1], vs) end
        -- No hash is newer than the epoch key: only an older batch (or a missing key) reads the hashes' versions.
        local check = begun == nil or begun > v
        local set, gone = {vf, vs}, {}
        local a = 6 + f + 2 * t
        local written = 0
        for i = 2, #KEYS do
          local k = KEYS[i]
          local op = ARGV[a]
          a = a + 1
          local current = nil
          if check then
            current = redis.pcall('HGET', k, vf)
            if type(current) == 'table' and current.err then
              return redis.error_reply('key ' .. k .. ': ' .. current.err)
            end
            current = tonumber(current)
          end
          local older = current ~= nil and current > v
          if op == 'D' then
            if not older then
              redis.call('DEL', k)
              written = written + 1
            end
          else
            local n, m = 2, 0
            if op == 'U' then
              for j = 1, f do
                set[n + 1], set[n + 2] = ARGV[4 + j], ARGV[a]
                n, a = n + 2, a + 1
              end
            else
              for j = 1, f do
                if string.byte(op, j + 1) == 49 then
                  set[n + 1], set[n + 2] = ARGV[4 + j], ARGV[a]
                  n, a = n + 2, a + 1
                else
                  m = m + 1
                  gone[m] = ARGV[4 + j]
                end
              end
            end
            if not older then
              local r = redis.pcall('HSET', k, unpack(set, 1, n))
              if type(r) == 'table' and r.err then
                return redis.error_reply('key ' .. k .. ': ' .. r.err)
              end
              if m > 0 then redis.call('HDEL', k, unpack(gone, 1, m)) end
              if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
              for j = 0, t - 1 do redis.call('HPEXPIRE', k, ARGV[7 + f + 2 * j], 'FIELDS', 1, ARGV[6 + f + 2 * j]) end
              written = written + 1
            end
          end
        end
        return written
        """;

    private readonly Func<T, Row> _toRow;
    private readonly RedisKeyPattern _key;
    private readonly int[] _features;
    private readonly RedisValue[] _featureNames;
    private readonly RedisValue[] _header; // ARGV[1..5+F+2T]; ARGV[2] (the version) is set per batch
    private readonly object _connectLock = new();
    private ConnectionMultiplexer? _connection;
    private long _restoredCheckpointId;
    private ILogger _logger = NullLogger.Instance;

    internal RedisSink(RedisSinkOptions options, Schema schema, Func<T, Row> toRow)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Configuration, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.VersionField, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchesInFlight, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConnectAttempts, 1, nameof(options));
        Options = options;
        Schema = schema;
        _toRow = toRow;
        _key = RedisKeyPattern.Parse(options.KeyPattern, schema);
        var features = options.Features?.ToList() ?? [.. schema.Select(f => f.Name).Where((_, i) => !_key.Fields.Contains(i))];
        if (features.Count == 0)
        {
            throw new ArgumentException($"The Redis sink of '{options.KeyPattern}' has no feature to write: every field is in the key pattern. Name the features in RedisSinkOptions.Features.", nameof(options));
        }
        _features = new int[features.Count];
        for (var i = 0; i < features.Count; i++)
        {
            _features[i] = schema.IndexOf(features[i]);
            if (_features[i] < 0)
            {
                throw new ArgumentException($"Feature '{features[i]}' of the Redis sink of '{options.KeyPattern}' is not a field of the records (fields: {string.Join(", ", schema.Select(f => f.Name))}).", nameof(options));
            }
            if (features[i] == options.VersionField)
            {
                throw new ArgumentException($"Feature '{features[i]}' of the Redis sink of '{options.KeyPattern}' has the name of the version field; rename it, or set RedisSinkOptions.VersionField.", nameof(options));
            }
        }
        foreach (var index in _features.Concat(_key.Fields))
        {
            if (!RedisFeatureValues.IsSupported(schema[index].Type.Kind))
            {
                throw new NotSupportedException($"Field '{schema[index].Name}' is {schema[index].Type}: the Redis sink writes scalar features only (a nested value needs to be flattened or serialized to a string first).");
            }
        }
        _featureNames = [.. features.Select(f => (RedisValue)f)];
        var ttls = new List<RedisValue>();
        foreach (var (feature, ttl) in options.FeatureTtl)
        {
            if (!features.Contains(feature))
            {
                throw new ArgumentException($"RedisSinkOptions.FeatureTtl names '{feature}', which is not a feature of the Redis sink of '{options.KeyPattern}' (features: {string.Join(", ", features)}).", nameof(options));
            }
            ttls.Add(feature);
            ttls.Add(Milliseconds(ttl, $"the time to live of feature '{feature}'"));
        }
        _header = [options.VersionField, 0, options.KeyTtl is { } keyTtl ? Milliseconds(keyTtl, "RedisSinkOptions.KeyTtl") : 0, _featureNames.Length, .. _featureNames, options.FeatureTtl.Count, .. ttls];
        EpochKey = EpochKeyPrefix + options.KeyPattern;
    }

    /// <summary>The options in effect.</summary>
    public RedisSinkOptions Options { get; }

    /// <summary>The records' schema.</summary>
    public Schema Schema { get; }

    /// <summary>
    /// The hashes written as <c>redis://{host}:{port}</c> / <c>{database}.{key prefix}</c> — the key pattern up to its
    /// first placeholder (<c>user:{user_id}</c> → <c>0.user:</c>), or the whole pattern when it starts with one — with
    /// the records' columns. The password and user never appear.
    /// </summary>
    public IReadOnlyList<Lineage.LineageDataset> GetLineageDatasets()
    {
        var brace = Options.KeyPattern.IndexOf('{', StringComparison.Ordinal);
        var prefix = brace > 0 ? Options.KeyPattern[..brace] : Options.KeyPattern;
        return [RedisConnections.Dataset(Options.Configuration, prefix).WithSchemaOf(Schema)];
    }

    /// <summary>Unlimited (0).</summary>
    public int MaxParallelism => 0;

    /// <summary>The key holding the newest epoch this sink began.</summary>
    public string EpochKey { get; }

    private string Purpose => $"the Redis sink of '{Options.KeyPattern}'";

    /// <summary>Keeps the job's logger.</summary>
    /// <param name="context">The job's identity and logger factory.</param>
    public void Open(CommitterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _logger = context.LoggerFactory.CreateLogger("Sluice.Connectors.Redis.Sink");
    }

    /// <summary>
    /// Connects (failing the job early when Redis is unreachable or refuses the login), checks that the server supports
    /// per-feature TTLs if they are set, and remembers the restored checkpoint for the writers' first epoch.
    /// </summary>
    /// <exception cref="RedisSinkException">Redis is unreachable, refuses the login, or is older than 7.4 with feature TTLs set.</exception>
    public void AbortPending(long restoredCheckpointId)
    {
        Volatile.Write(ref _restoredCheckpointId, restoredCheckpointId);
        var connection = Connection();
        if (Options.FeatureTtl.Count > 0)
        {
            foreach (var endpoint in connection.GetEndPoints())
            {
                var version = connection.GetServer(endpoint).Version;
                if (version < new Version(7, 4))
                {
                    throw new RedisSinkException($"Per-feature time to live needs Redis 7.4 or later (HPEXPIRE), and Redis at {RedisConnections.Format(endpoint)} is {version}. Upgrade it, or set a per-key time to live (RedisSinkOptions.KeyTtl, option 'ttl') instead.");
                }
            }
        }
    }

    /// <summary>Nothing to do: the writers' records are in Redis when <see cref="ITwoPhaseSinkWriter{T}.PrepareCommit"/> returns.</summary>
    public void Commit(long checkpointId, int subtaskIndex, byte[] committable)
    {
    }

    /// <summary>Creates the writer of one subtask.</summary>
    /// <param name="context">The subtask's context.</param>
    /// <exception cref="RedisSinkException">Redis is unreachable or refuses the login.</exception>
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var database = Connection().GetDatabase();
        var begun = (long?)database.StringGet(EpochKey) ?? 0;
        var first = Math.Max(Volatile.Read(ref _restoredCheckpointId) + 1, begun);
        return new Writer(this, database, first, context.WakeUp);
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        lock (_connectLock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    private ConnectionMultiplexer Connection()
    {
        lock (_connectLock)
        {
            if (_connection is null)
            {
                var connection = RedisConnections.Connect(Options.Configuration, Options.ConnectAttempts, Purpose);
                foreach (var endpoint in connection.GetEndPoints())
                {
                    // Known to the client once loaded: every call then sends EVALSHA, not the script's text.
                    connection.GetServer(endpoint).ScriptLoad(Script);
                }
                _connection = connection;
            }
            return _connection;
        }
    }

    private static long Milliseconds(TimeSpan ttl, string what)
    {
        if (ttl < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException($"{what} must be at least 1 ms, not {ttl}.");
        }
        return (long)ttl.TotalMilliseconds;
    }

    /// <summary>
    /// The writer of one subtask: fills a batch of entities, sends it as one script call without waiting, and keeps at
    /// most <see cref="RedisSinkOptions.MaxBatchesInFlight"/> calls in flight; at a checkpoint barrier it waits for all.
    /// Records buffered behind an outstanding reply when input pauses go out when that reply arrives: the reply's
    /// continuation asks for a wake-up (<see cref="SinkContext.WakeUp"/>) and <see cref="OnWakeUp"/> sends them on the task
    /// thread, so a burst's tail never waits for the next record or barrier.
    /// </summary>
    private sealed class Writer : ITwoPhaseSinkWriter<T>
    {
        private static readonly Action<Task, object?> s_onReply = static (_, state) => ((Action)state!)();
        private static readonly RedisValue s_upsert = "U";
        private static readonly RedisValue s_delete = "D";

        private readonly RedisSink<T> _sink;
        private readonly IDatabase _database;
        private readonly Queue<Task<RedisResult>> _inFlight = new();
        private readonly List<RedisKey> _keys = [];
        private readonly List<RedisValue> _values = [];
        private readonly System.Text.StringBuilder _keyText = new(64);
        private readonly string _endpoint;
        private readonly Action _wakeUp;
        private long _version;
        private bool _wakeUpArmed; // task thread only: a reply's continuation will ask for a wake-up
        private Task<RedisResult>? _lastSent;

        public Writer(RedisSink<T> sink, IDatabase database, long firstVersion, Action wakeUp)
        {
            _sink = sink;
            _database = database;
            _version = firstVersion;
            _wakeUp = wakeUp;
            _endpoint = string.Join(", ", database.Multiplexer.GetEndPoints().Select(RedisConnections.Format));
            StartBatch();
        }

        public void Write(T value, long timestamp)
        {
            Add(value);
            if (_keys.Count > _sink.Options.BatchSize || RedisIdle())
            {
                Send();
            }
            ArmWakeUp();
        }

        public void WriteBatch(ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps)
        {
            // Full batches go out as they fill; the rest at once if Redis has nothing of ours to answer (see RedisIdle).
            for (var i = 0; i < values.Length; i++)
            {
                Add(values[i]);
                if (_keys.Count > _sink.Options.BatchSize)
                {
                    Send();
                }
            }
            if (RedisIdle())
            {
                Send();
            }
            ArmWakeUp();
        }

        /// <summary>The wake-up a reply asked for: sends the buffered records when every reply is in, else waits for the next.</summary>
        public void OnWakeUp()
        {
            _wakeUpArmed = false;
            if (RedisIdle())
            {
                Send();
            }
            ArmWakeUp();
        }

        public byte[] PrepareCommit(long checkpointId)
        {
            Drain();
            _version = checkpointId + 1;
            return [];
        }

        public void Flush() => Drain();

        public void Dispose()
        {
            // Writes in flight complete or fail on their own; a failed attempt's late writes carry its older epoch.
        }

        /// <summary>Adds <paramref name="value"/>'s entity to the batch being filled (a <c>-U</c> adds nothing).</summary>
        private void Add(T value)
        {
            var row = _sink._toRow(value);
            if (row.Kind == RowKind.UpdateBefore)
            {
                return; // superseded by the +U that follows
            }
            _keys.Add(_sink._key.Format(row, _keyText));
            if (row.Kind == RowKind.Delete)
            {
                _values.Add(s_delete);
                return;
            }
            var features = _sink._features;
            var opAt = _values.Count;
            _values.Add(s_upsert);
            var nulls = false;
            for (var i = 0; i < features.Length; i++)
            {
                if (row.IsNull(features[i]))
                {
                    nulls = true;
                }
                else
                {
                    _values.Add(RedisFeatureValues.Of(row, features[i]));
                }
            }
            if (nulls)
            {
                _values[opAt] = NullMask(row, features);
            }
        }

        /// <summary>'u' and one character per feature: '1' when its value follows, '0' when the field is removed.</summary>
        private static string NullMask(Row row, int[] features) => string.Create(features.Length + 1, (row, features), static (chars, state) =>
        {
            chars[0] = 'u';
            for (var i = 0; i < state.features.Length; i++)
            {
                chars[i + 1] = state.row.IsNull(state.features[i]) ? '0' : '1';
            }
        });

        /// <summary>
        /// When records wait in the batch behind outstanding replies, asks for a wake-up when the newest reply arrives (one
        /// connection answers in order, so then all have). One continuation per wait, not per record.
        /// </summary>
        private void ArmWakeUp()
        {
            if (_wakeUpArmed || _keys.Count == 1 || _inFlight.Count == 0)
            {
                return;
            }
            _wakeUpArmed = true;
            _lastSent!.ContinueWith(s_onReply, _wakeUp, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void StartBatch()
        {
            _keys.Clear();
            _values.Clear();
            _keys.Add(_sink.EpochKey);
            _values.AddRange(_sink._header);
        }

        private void Send()
        {
            if (_keys.Count == 1)
            {
                return;
            }
            _values[1] = _version;
            _lastSent = _database.ScriptEvaluateAsync(Script, [.. _keys], [.. _values]);
            _inFlight.Enqueue(_lastSent);
            StartBatch();
            while (_inFlight.Count > _sink.Options.MaxBatchesInFlight)
            {
                Complete(_inFlight.Dequeue());
            }
        }

        /// <summary>
        /// True when every batch sent has been answered: then a partial batch goes out at once instead of waiting to fill,
        /// so a record is readable about one round trip after it arrives when Redis keeps up, and batches grow only while
        /// round trips are outstanding (under load). Completes the answered batches (a failure surfaces here).
        /// </summary>
        private bool RedisIdle()
        {
            while (_inFlight.Count > 0 && _inFlight.Peek().IsCompleted)
            {
                Complete(_inFlight.Dequeue());
            }
            return _inFlight.Count == 0;
        }

        private void Drain()
        {
            Send();
            while (_inFlight.Count > 0)
            {
                Complete(_inFlight.Dequeue());
            }
        }

        private void Complete(Task<RedisResult> write)
        {
            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (RedisServerException e)
            {
                throw new RedisSinkException($"Redis at {_endpoint} refused a write of {_sink.Purpose}: {e.Message}. A key the pattern makes must be a hash (or absent): delete or rename the other key, or change the key pattern.", e);
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                throw new RedisSinkException($"A write of {_sink.Purpose} to Redis at {_endpoint} failed ({e.GetType().Name}: the connection was lost or the server did not answer in time); the job restarts from its last checkpoint.", e);
            }
        }
    }
}

/// <summary>Creates Redis feature-store sinks.</summary>
public static class RedisSink
{
    /// <summary>A sink of rows of <paramref name="schema"/>.</summary>
    /// <param name="options">Where and how to write.</param>
    /// <param name="schema">The rows' schema.</param>
    /// <exception cref="ArgumentException">An option is missing or inconsistent with the schema (the message names the field).</exception>
    /// <exception cref="NotSupportedException">A feature or key field has a nested type.</exception>
    public static RedisSink<Row> ForRows(RedisSinkOptions options, Schema schema) => new(options, schema, static r => r);

    /// <summary>A sink of <typeparamref name="T"/> records, fields named as <see cref="TableColumns.For{T}"/> names them (snake_case).</summary>
    /// <param name="options">Where and how to write.</param>
    /// <exception cref="ArgumentException">An option is missing or inconsistent, or <typeparamref name="T"/> has no public properties.</exception>
    /// <exception cref="NotSupportedException">A feature or key field has a nested type.</exception>
    public static RedisSink<T> For<T>(RedisSinkOptions options)
    {
        var converter = TableColumns.For<T>();
        return new(options, converter.Schema, converter.ToRow);
    }
}
