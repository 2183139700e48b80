using Sluice.Log;

namespace Sluice.Server.Ingest;

/// <summary>
/// The recent Idempotency-Keys of one topic and the answers they got, kept for <see cref="Retention"/> (24 h) and at
/// most <see cref="MaxKeys"/> keys (the oldest are forgotten first). Built at the first ingest into the topic after a
/// start by scanning the topic's records for <see cref="IdempotencyHeader"/>s (<see cref="Rebuild"/>), then kept up
/// to date by the requests. A key is <em>pending</em> while its request runs, <em>done</em> once answered, and
/// <em>partial</em> when a crash or a failed append left only some of its partitions written (a retry then appends
/// only the others). Thread-safe (one lock; no I/O under it).
/// </summary>
internal sealed class IdempotencyIndex
{
    /// <summary>How long a key is remembered after its request was accepted.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Most keys remembered per topic.</summary>
    public const int MaxKeys = 1_000_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, Entry Entry)> _byAge = new();

    /// <summary>Keys held (any state).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Looks <paramref name="key"/> up for a request whose body hashes to <paramref name="bodyHash"/>. A new (or
    /// expired) key becomes pending for this request (<see cref="IdempotencyState.New"/>); a partial one too
    /// (<see cref="IdempotencyState.Resume"/>, with the parts already written).
    /// </summary>
    public IdempotencyLookup Begin(string key, UInt128 bodyHash, long nowMs)
    {
        lock (_lock)
        {
            Expire(nowMs);
            if (_entries.TryGetValue(key, out var entry) && nowMs - entry.ReceivedMs < (long)Retention.TotalMilliseconds)
            {
                if (entry.BodyHash != bodyHash)
                {
                    return new IdempotencyLookup(IdempotencyState.Mismatch, entry.Snapshot());
                }
                switch (entry.State)
                {
                    case IdempotencyState.Done:
                        return new IdempotencyLookup(IdempotencyState.Done, entry.Snapshot());
                    case IdempotencyState.Pending:
                        return new IdempotencyLookup(IdempotencyState.Pending, entry.Snapshot());
                    default:
                        entry.State = IdempotencyState.Pending;
                        return new IdempotencyLookup(IdempotencyState.Resume, entry.Snapshot());
                }
            }
            var created = new Entry { BodyHash = bodyHash, ReceivedMs = nowMs, State = IdempotencyState.Pending };
            _entries[key] = created;
            _byAge.Enqueue((key, created));
            return new IdempotencyLookup(IdempotencyState.New, created.Snapshot());
        }
    }

    /// <summary>Records the answer of a pending key's request: every part written (done), or some (partial), or none
    /// (the key is forgotten, so a retry starts afresh).</summary>
    public void End(string key, IReadOnlyList<PartitionRange> written, int partitions, int deadLettered)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return;
            }
            if (written.Count == 0 && entry.Parts.Count == 0)
            {
                _entries.Remove(key);
                return;
            }
            foreach (var range in written)
            {
                entry.AddPart(range);
            }
            entry.Partitions = partitions;
            entry.DeadLettered = deadLettered;
            entry.State = entry.Parts.Count >= partitions ? IdempotencyState.Done : IdempotencyState.Partial;
        }
    }

    /// <summary>Adds what one header found by a scan says (see <see cref="Rebuild"/>).</summary>
    public void Load(in IdempotencyMark mark, int partition, long offset, long nowMs)
    {
        if (nowMs - mark.ReceivedMs >= (long)Retention.TotalMilliseconds)
        {
            return;
        }
        lock (_lock)
        {
            if (!_entries.TryGetValue(mark.Key, out var entry) || entry.ReceivedMs != mark.ReceivedMs || entry.BodyHash != mark.BodyHash)
            {
                entry = new Entry { BodyHash = mark.BodyHash, ReceivedMs = mark.ReceivedMs, Partitions = mark.Partitions, DeadLettered = mark.DeadLettered };
                _entries[mark.Key] = entry;
                _byAge.Enqueue((mark.Key, entry));
            }
            entry.AddPart(new PartitionRange(partition, offset, offset + mark.Records - 1));
            entry.State = entry.Parts.Count >= entry.Partitions ? IdempotencyState.Done : IdempotencyState.Partial;
        }
    }

    /// <summary>
    /// Builds the index of <paramref name="topic"/> from its records: every partition from its start offset, the
    /// first record of each idempotent request's part carrying its <see cref="IdempotencyHeader"/>. Cost: one read of
    /// the topic's retained records (the record timestamps may be event times, so the time index cannot bound it).
    /// </summary>
    public static IdempotencyIndex Rebuild(TopicLog topic, long nowMs, CancellationToken cancellationToken)
    {
        var index = new IdempotencyIndex();
        using var result = new FetchResult();
        var options = new FetchOptions(MaxRecords: 10_000, MaxBytes: 4 * 1024 * 1024, Isolation: IsolationLevel.ReadUncommitted);
        foreach (var partition in topic.Partitions)
        {
            var offset = partition.LogStartOffset;
            var end = partition.EndOffset;
            while (offset < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                partition.Fetch(offset, options, result);
                foreach (var record in result)
                {
                    if (record.TryGetHeader(IdempotencyHeader.NameUtf8, out var value) && IdempotencyHeader.TryDecode(value, out var mark))
                    {
                        index.Load(mark, partition.Partition, record.Offset, nowMs);
                    }
                }
                if (result.NextOffset <= offset)
                {
                    break;
                }
                offset = result.NextOffset;
            }
        }
        return index;
    }

    private void Expire(long nowMs)
    {
        var retention = (long)Retention.TotalMilliseconds;
        while (_byAge.TryPeek(out var oldest) && (nowMs - oldest.Entry.ReceivedMs >= retention || _entries.Count > MaxKeys))
        {
            _byAge.Dequeue();
            if (_entries.TryGetValue(oldest.Key, out var current) && ReferenceEquals(current, oldest.Entry) && current.State != IdempotencyState.Pending)
            {
                _entries.Remove(oldest.Key);
            }
        }
    }

    private sealed class Entry
    {
        public UInt128 BodyHash;
        public long ReceivedMs;
        public int Partitions;
        public int DeadLettered;
        public IdempotencyState State;
        public List<PartitionRange> Parts { get; } = [];

        public void AddPart(PartitionRange range)
        {
            foreach (var p in Parts)
            {
                if (p.Partition == range.Partition)
                {
                    return;
                }
            }
            Parts.Add(range);
        }

        public IdempotencyAnswer Snapshot() => new([.. Parts], DeadLettered, ReceivedMs);
    }
}

/// <summary>Where a key stands.</summary>
internal enum IdempotencyState
{
    /// <summary>Not seen (or expired): this request owns it now.</summary>
    New,

    /// <summary>Another request with this key is running.</summary>
    Pending,

    /// <summary>Answered: replay the answer.</summary>
    Done,

    /// <summary>Some partitions were written before a crash: this request owns it and appends the others.</summary>
    Resume,

    /// <summary>Partially written (the state stored; a lookup reports <see cref="Resume"/>).</summary>
    Partial,

    /// <summary>Seen with another body.</summary>
    Mismatch,
}

/// <summary>The result of <see cref="IdempotencyIndex.Begin"/>.</summary>
/// <param name="State">Where the key stands.</param>
/// <param name="Answer">What it holds so far.</param>
internal readonly record struct IdempotencyLookup(IdempotencyState State, IdempotencyAnswer Answer);

/// <summary>The parts a key's request wrote, and how many records went to the dead-letter topic.</summary>
/// <param name="Parts">Offsets per partition.</param>
/// <param name="DeadLettered">Dead-lettered records.</param>
/// <param name="ReceivedMs">When the request was first accepted.</param>
internal sealed record IdempotencyAnswer(PartitionRange[] Parts, int DeadLettered, long ReceivedMs);
