using System.Diagnostics;
using Sluice.Log;
using Sluice.SchemaRegistry.Api;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Storage;

/// <summary>
/// The registry's state: subjects, versions, ids, compatibility levels and modes, kept in the compacted embedded-log
/// topic <c>_schemas</c> (1 partition; see <see cref="SchemaLogRecord"/>) and indexed in memory. Opening replays the
/// topic; every change is appended and fsynced before the call returns, and only then applied to the indexes, so a
/// caller's answer never shows state that a crash could lose.
/// <para>Thread-safety: all members are thread-safe. Writes are serialized by one lock, which is what makes two
/// concurrent registrations of one schema get one id. Ids are global, never reused: the next id is one above the
/// highest ever assigned, which an <c>ID_HIGH_WATER</c> record remembers across hard deletes.</para>
/// </summary>
internal sealed partial class SchemaStore
{
    /// <summary>The topic the registry keeps its records in.</summary>
    public const string TopicName = "_schemas";

    private readonly Lock _lock = new();
    private readonly PartitionedLog _log;
    private PartitionLog? _partition;
    private readonly Dictionary<string, SortedDictionary<int, SubjectVersion>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<int, StoredSchema> _schemas = [];
    private readonly Dictionary<string, int> _idByContent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompatibilityLevel> _subjectLevels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegistryMode> _subjectModes = new(StringComparer.Ordinal);
    private CompatibilityLevel? _globalLevel;
    private RegistryMode? _globalMode;
    private int _highestId;
    private long _changes;

    private SchemaStore(PartitionedLog log) => _log = log;

    /// <summary>The compatibility level of a registry nobody configured (Confluent's default).</summary>
    public const CompatibilityLevel DefaultLevel = CompatibilityLevel.Backward;

    /// <summary>The highest id ever assigned (0 for none).</summary>
    public int HighestId
    {
        get
        {
            lock (_lock)
            {
                return _highestId;
            }
        }
    }

    /// <summary>
    /// How many writes this store applied since it opened: whatever a caller derived from the store (a compiled schema,
    /// say) is still current while this number is unchanged. Lock-free (one volatile read), so a cache can check it on
    /// every use.
    /// </summary>
    public long Changes => Volatile.Read(ref _changes);

    /// <summary>
    /// Opens the registry in <paramref name="log"/>: replays <c>_schemas</c> when it exists (the first write creates
    /// it: compacted, 1 partition, kept forever). The log stays the caller's.
    /// </summary>
    /// <exception cref="InvalidDataException">A record of <c>_schemas</c> is damaged or of a newer format; the message names its offset.</exception>
    public static SchemaStore Open(PartitionedLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var store = new SchemaStore(log);
        if (log.TryGetTopic(TopicName, out var topic))
        {
            store._partition = CheckTopic(topic).GetPartition(0);
            store.Replay();
        }
        return store;
    }

    /// <summary>The partition to append to, creating <c>_schemas</c> at the first write (so a server whose registry
    /// is never used shows no extra topic). Under the lock.</summary>
    private PartitionLog Partition()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "The topic is created under the store's lock.");
        if (_partition is null)
        {
            TopicLog topic;
            try
            {
                topic = _log.CreateTopic(TopicName, new TopicConfig { Partitions = 1, CleanupPolicy = CleanupPolicy.Compact, RetentionTime = null });
            }
            catch (ArgumentException) when (_log.TryGetTopic(TopicName, out var existing))
            {
                topic = CheckTopic(existing); // created since this store opened: by another process's tool, say
            }
            _partition = topic.GetPartition(0);
        }
        return _partition;
    }

    private static TopicLog CheckTopic(TopicLog topic) =>
        topic.Config.CleanupPolicy == CleanupPolicy.Compact && topic.PartitionCount == 1
            ? topic
            : throw new InvalidDataException($"The topic '{TopicName}' exists but is not a compacted topic of 1 partition ({topic.Config.CleanupPolicy}, {topic.PartitionCount} partitions); it is the schema registry's: move it away.");

    private void Replay()
    {
        lock (_lock)
        {
            var partition = _partition!;
            long offset = partition.LogStartOffset;
            long end = partition.EndOffset;
            using var batch = new FetchResult();
            while (offset < end)
            {
                partition.Fetch(offset, new FetchOptions(MaxRecords: 1000), batch);
                if (batch.NextOffset <= offset)
                {
                    break;
                }
                foreach (var record in batch)
                {
                    var key = SchemaLogRecord.DecodeKey(record.Key, record.Offset);
                    Apply(key, record.HasValue ? record.Value.ToArray() : null, record.Offset);
                }
                offset = batch.NextOffset;
            }

            // Content keys need parsing, and a referenced schema may sit after its user in a compacted topic: index
            // them only once everything is loaded, in id order (a reference is always older than its user).
            foreach (var schema in _schemas.Values.OrderBy(s => s.Id))
            {
                IndexContent(schema);
            }
            AssertInvariants();
        }
    }

    /// <summary>Applies one record (replayed or just appended) to the indexes; <paramref name="value"/> null is a tombstone.</summary>
    private void Apply(SchemaLogKey key, byte[]? value, long offset)
    {
        switch (key.Type)
        {
            case SchemaLogKeyType.Schema:
                ApplySchema(key.Subject!, key.Version, value is null ? null : SchemaLogRecord.DecodeSchema(value, offset));
                break;
            case SchemaLogKeyType.Config when key.Subject is null:
                _globalLevel = value is null ? null : SchemaLogRecord.DecodeConfig(value, offset);
                break;
            case SchemaLogKeyType.Config:
                SetOrRemove(_subjectLevels, key.Subject, value is null ? null : SchemaLogRecord.DecodeConfig(value, offset));
                break;
            case SchemaLogKeyType.Mode when key.Subject is null:
                _globalMode = value is null ? null : SchemaLogRecord.DecodeMode(value, offset);
                break;
            case SchemaLogKeyType.Mode:
                SetOrRemove(_subjectModes, key.Subject, value is null ? null : SchemaLogRecord.DecodeMode(value, offset));
                break;
            case SchemaLogKeyType.IdHighWater when value is not null:
                _highestId = Math.Max(_highestId, SchemaLogRecord.DecodeIdHighWater(value, offset));
                break;
            default:
                break;
        }
    }

    private void ApplySchema(string subject, int version, SchemaVersionRecord? record)
    {
        if (!_subjects.TryGetValue(subject, out var versions))
        {
            versions = [];
            _subjects[subject] = versions;
        }
        versions.Remove(version, out var previous);
        if (record is not null)
        {
            if (!_schemas.TryGetValue(record.Id, out var schema))
            {
                schema = new StoredSchema(record.Id, record.Type, record.Schema, record.References);
                _schemas[record.Id] = schema;
            }
            schema.Usages.Add((subject, version));
            versions[version] = new SubjectVersion(version, record.Id) { Deleted = record.Deleted };
            _highestId = Math.Max(_highestId, record.Id);
        }
        else if (versions.Count == 0)
        {
            _subjects.Remove(subject);
        }

        if (previous is not null && (record is null || record.Id != previous.Id) && _schemas.TryGetValue(previous.Id, out var previousSchema))
        {
            previousSchema.Usages.Remove((subject, version));
            if (previousSchema.Usages.Count == 0)
            {
                // The id's last version was hard-deleted: the id answers 40403 from now on (and is never reused).
                _schemas.Remove(previous.Id);
                if (previousSchema.ContentKey is { } content && _idByContent.TryGetValue(content, out int indexed) && indexed == previous.Id)
                {
                    _idByContent.Remove(content);
                }
            }
        }
    }

    private void IndexContent(StoredSchema schema)
    {
        if (schema.ContentKey is not null)
        {
            return;
        }
        try
        {
            schema.ContentKey = ContentKey(schema.Parse(ResolveReference));
        }
        catch (InvalidSchemaException)
        {
            // A schema whose reference was hard-deleted since: still served by id, only not found by content.
            return;
        }
        _idByContent.TryAdd(schema.ContentKey, schema.Id);
    }

    /// <summary>Finds a referenced schema (any version of the subject, soft-deleted included). Under the lock.</summary>
    private ParsedSchema? ResolveReference(SchemaReference reference)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "References are resolved under the store's lock.");
        return _subjects.TryGetValue(reference.Subject, out var versions)
            && versions.TryGetValue(reference.Version, out var entry)
            && _schemas.TryGetValue(entry.Id, out var schema)
            ? schema.Parse(ResolveReference)
            : null;
    }

    private static string ContentKey(ParsedSchema parsed)
    {
        var key = new System.Text.StringBuilder();
        key.Append(SchemaTypeNames.Name(parsed.Type)).Append('\n');
        foreach (var reference in parsed.References)
        {
            key.Append(reference.Name).Append('\0').Append(reference.Subject).Append('\0').Append(reference.Version).Append('\n');
        }
        return key.Append(parsed.CanonicalText).ToString();
    }

    /// <summary>Appends records as one batch, fsynced, then applies them. Under the lock.</summary>
    /// <exception cref="RegistryException">50001: the append failed (nothing was applied).</exception>
    private void AppendAndApply(List<(SchemaLogKey Key, byte[]? Value)> records)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "Writes happen under the store's lock.");
        Debug.Assert(records.Count > 0, "A write appends at least one record.");
        var batch = new ProducerRecord[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            batch[i] = ProducerRecord.FromArrays(SchemaLogRecord.EncodeKey(records[i].Key), records[i].Value);
        }
        AppendResult appended;
        try
        {
            var partition = Partition();
            appended = partition.Append(batch);
            partition.Flush();
        }
        catch (Exception e) when (e is LogException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw RegistryException.StoreError($"Error while writing to the _schemas topic: {e.Message}", e);
        }
        for (int i = 0; i < records.Count; i++)
        {
            Apply(records[i].Key, records[i].Value, appended.BaseOffset + i);
        }
        Interlocked.Increment(ref _changes);
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        foreach (var (subject, versions) in _subjects)
        {
            Debug.Assert(versions.Count > 0, $"Subject '{subject}' is indexed without versions.");
            foreach (var entry in versions.Values)
            {
                Debug.Assert(_schemas.TryGetValue(entry.Id, out var schema) && schema.Usages.Contains((subject, entry.Version)), $"Subject '{subject}' version {entry.Version} names id {entry.Id}, which does not list it.");
                Debug.Assert(entry.Id <= _highestId, $"Id {entry.Id} is above the highest id {_highestId}.");
            }
        }
    }

    private static void SetOrRemove<TValue>(Dictionary<string, TValue> map, string? subject, TValue? value)
        where TValue : struct
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (value is { } v)
        {
            map[subject] = v;
        }
        else
        {
            map.Remove(subject);
        }
    }
}
