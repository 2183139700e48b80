using System.Buffers;

namespace Sluice.Server.Ingest;

/// <summary>
/// One ingest request's body and the records parsed from it: each record is a slice of the body (its exact JSON
/// bytes), an optional key (a slice of the body, or of a side buffer when the key string had escapes), a timestamp and
/// the partition it goes to. For a request with a registry format (<c>?format=</c>) the records' values are instead
/// slices of <see cref="Encoded"/>, what the <see cref="IRecordEncoder"/> wrote; the body stays the original JSON (the
/// dead letters and the idempotency hash use it). Rejected records (with <c>?dlq=true</c>) are listed apart. The
/// buffers are pooled and returned by <see cref="Dispose"/>; one request owns one batch and uses it from one thread at
/// a time.
/// </summary>
internal sealed class IngestBatch : IDisposable
{
    private byte[] _body;
    private RecordSlot[] _records;
    private byte[] _side;
    private List<RejectedRecord>? _rejected;
    private EncodedValues? _encoded;

    /// <summary>Creates a batch whose body buffer holds at least <paramref name="bodyCapacity"/> bytes.</summary>
    public IngestBatch(int bodyCapacity)
    {
        _body = ArrayPool<byte>.Shared.Rent(Math.Max(bodyCapacity, 256));
        _records = ArrayPool<RecordSlot>.Shared.Rent(16);
        _side = [];
    }

    /// <summary>The body's bytes read so far.</summary>
    public int BodyLength { get; private set; }

    /// <summary>The body.</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, BodyLength);

    /// <summary>Accepted records, in body order.</summary>
    public int Count { get; private set; }

    /// <summary>The records rejected by <c>?dlq=true</c> parsing, in body order (empty without).</summary>
    public IReadOnlyList<RejectedRecord> Rejected => (IReadOnlyList<RejectedRecord>?)_rejected ?? [];

    /// <summary>The accepted record <paramref name="index"/>.</summary>
    public ref RecordSlot this[int index] => ref _records[index];

    /// <summary>A writable span of at least <paramref name="sizeHint"/> bytes after the body read so far.</summary>
    public Span<byte> GetBodySpan(int sizeHint)
    {
        if (BodyLength + sizeHint > _body.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_body.Length * 2, BodyLength + sizeHint));
            _body.AsSpan(0, BodyLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_body);
            _body = bigger;
        }
        return _body.AsSpan(BodyLength);
    }

    /// <summary>Marks <paramref name="count"/> more body bytes as read.</summary>
    public void AdvanceBody(int count) => BodyLength += count;

    /// <summary>Where an <see cref="IRecordEncoder"/> writes the records' values (created on first use, after the body
    /// was read). Once it exists every accepted record's value is a slice of it, not of the body.</summary>
    public EncodedValues Encoded => _encoded ??= new EncodedValues(BodyLength);

    /// <summary>The value bytes of a record.</summary>
    public ReadOnlySpan<byte> ValueOf(in RecordSlot slot) => Values.AsSpan(slot.ValueStart, slot.ValueLength);

    /// <summary>The value of a record as memory (for records with headers).</summary>
    public ReadOnlyMemory<byte> ValueMemoryOf(in RecordSlot slot) => Values.AsMemory(slot.ValueStart, slot.ValueLength);

    /// <summary>The buffer values are slices of: the body, or the encoded values of a request with a registry format.</summary>
    private byte[] Values => _encoded is null ? _body : _encoded.Buffer;

    /// <summary>A slice of the body as memory.</summary>
    public ReadOnlyMemory<byte> BodyMemory(int start, int length) => _body.AsMemory(start, length);

    /// <summary>The key of a record as memory (call only when it has one).</summary>
    public ReadOnlyMemory<byte> KeyMemoryOf(in RecordSlot slot) =>
        slot.KeyInSide ? _side.AsMemory(slot.KeyStart, slot.KeyLength) : _body.AsMemory(slot.KeyStart, slot.KeyLength);

    /// <summary>The key bytes of a record (empty for a null key: check <see cref="RecordSlot.HasKey"/>).</summary>
    public ReadOnlySpan<byte> KeyOf(in RecordSlot slot) =>
        !slot.HasKey ? default : slot.KeyInSide ? _side.AsSpan(slot.KeyStart, slot.KeyLength) : _body.AsSpan(slot.KeyStart, slot.KeyLength);

    /// <summary>Adds an accepted record.</summary>
    public void Add(in RecordSlot slot)
    {
        if (Count == _records.Length)
        {
            var bigger = ArrayPool<RecordSlot>.Shared.Rent(_records.Length * 2);
            _records.AsSpan(0, Count).CopyTo(bigger);
            ArrayPool<RecordSlot>.Shared.Return(_records);
            _records = bigger;
        }
        _records[Count++] = slot;
    }

    /// <summary>Copies an unescaped key into the side buffer and returns where it starts.</summary>
    public int AddSideKey(ReadOnlySpan<byte> key, out int length)
    {
        var start = SideLength;
        if (start + key.Length > _side.Length)
        {
            var bigger = new byte[Math.Max(256, Math.Max(_side.Length * 2, start + key.Length))];
            _side.AsSpan(0, start).CopyTo(bigger);
            _side = bigger;
        }
        key.CopyTo(_side.AsSpan(start));
        SideLength += key.Length;
        length = key.Length;
        return start;
    }

    private int SideLength { get; set; }

    /// <summary>Adds a rejected record (its original bytes, where it was, and why).</summary>
    public void Reject(int valueStart, int valueLength, int line, string reason) =>
        (_rejected ??= []).Add(new RejectedRecord(valueStart, valueLength, line, reason));

    /// <summary>Forgets every parsed record (keeps the body).</summary>
    public void ClearRecords()
    {
        Count = 0;
        SideLength = 0;
        _rejected?.Clear();
        _encoded?.Truncate(0);
    }

    /// <summary>Returns the pooled buffers; the batch must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_body.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_body);
            _body = [];
        }
        if (_records.Length > 0)
        {
            ArrayPool<RecordSlot>.Shared.Return(_records);
            _records = [];
        }
        _encoded?.Dispose();
    }
}

/// <summary>Where one accepted record is in its <see cref="IngestBatch"/>, and where it goes.</summary>
internal struct RecordSlot
{
    /// <summary>First byte of the value: the record's JSON in the body, or its encoded bytes in <see cref="IngestBatch.Encoded"/>.</summary>
    public int ValueStart;

    /// <summary>Length of the value in bytes.</summary>
    public int ValueLength;

    /// <summary>First byte of the key, in the body or (<see cref="KeyInSide"/>) the side buffer; -1 for a null key.</summary>
    public int KeyStart;

    /// <summary>Length of the key in bytes.</summary>
    public int KeyLength;

    /// <summary>Whether the key is in the side buffer (an unescaped string).</summary>
    public bool KeyInSide;

    /// <summary>Unix ms, or -1 for "now" (the log's clock when it is appended).</summary>
    public long TimestampMs;

    /// <summary>1-based NDJSON line or array element.</summary>
    public int Line;

    /// <summary>The partition it is appended to (set after parsing).</summary>
    public int Partition;

    /// <summary>Whether the record has a key.</summary>
    public readonly bool HasKey => KeyStart >= 0;
}

/// <summary>A record <c>?dlq=true</c> sends to the dead-letter topic: its bytes in the body, where it was and why.</summary>
/// <param name="ValueStart">First byte in the body.</param>
/// <param name="ValueLength">Length in bytes.</param>
/// <param name="Line">1-based NDJSON line or array element.</param>
/// <param name="Reason">One sentence naming the line, field and problem.</param>
internal readonly record struct RejectedRecord(int ValueStart, int ValueLength, int Line, string Reason);
