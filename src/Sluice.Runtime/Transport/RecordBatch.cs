using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Sluice.Runtime.Transport;

/// <summary>
/// The type-independent part of a <see cref="RecordBatch{T}"/>: its record count and the watermarks that travel
/// inside it. A watermark an exchange emits between records is kept at its position in the batch (a mark: "after the
/// first n records") rather than sent as a message of its own, so the consumer sees records and watermarks in exactly
/// the order they were emitted, while a producer that emits a watermark per poll (every source does) no longer sends
/// two messages (the partial batch and the watermark) per poll and channel.
/// </summary>
internal abstract class RecordBatch : IRecordCount
{
    /// <summary>Most marks one batch carries; the exchange sends the batch when it has this many.</summary>
    public const int MaxMarks = 16;

    private int[]? _markAt;
    private long[]? _markValue;

    public int Count;

    int IRecordCount.Count => Count;

    /// <summary>Watermarks in the batch, in emission order.</summary>
    public int MarkCount { get; private set; }

    public bool MarksFull => MarkCount == MaxMarks;

    /// <summary>How many of the batch's records precede mark <paramref name="i"/>.</summary>
    public int MarkAt(int i) => _markAt![i];

    /// <summary>The watermark of mark <paramref name="i"/>.</summary>
    public long MarkValue(int i) => _markValue![i];

    /// <summary>Puts <paramref name="watermark"/> after the records added so far.</summary>
    public void AddWatermark(long watermark)
    {
        Debug.Assert(!MarksFull);
        _markAt ??= new int[MaxMarks];
        _markValue ??= new long[MaxMarks];
        _markAt[MarkCount] = Count;
        _markValue[MarkCount] = watermark;
        MarkCount++;
    }

    /// <summary>Empties the batch (records and marks), releasing references so pooled batches keep no garbage alive.</summary>
    public void Reset()
    {
        ClearValues();
        Count = 0;
        MarkCount = 0;
    }

    private protected abstract void ClearValues();
}

/// <summary>
/// A batch of records with their timestamps (struct of arrays), the unit that moves between tasks, and the watermarks
/// emitted between them (<see cref="RecordBatch"/>). Owned by one side at a time: the producer fills it, the channel
/// carries it, the consumer reads it and returns it to the channel's pool — so steady-state transport allocates
/// nothing.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class RecordBatch<T>(int capacity) : RecordBatch
{
    public readonly T[] Values = new T[capacity];
    public readonly long[] Timestamps = new long[capacity];

    public bool IsFull => Count == Values.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value, long timestamp)
    {
        // Not Values[Count] = value: for a reference type that is an array-covariance check per record
        // (StelemRef); the array is exactly T[], so a ref store is safe. The bounds check stays.
        ArrayStore.Set(Values, Count, value);
        Timestamps[Count] = timestamp;
        Count++;
    }

    private protected override void ClearValues()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(Values, 0, Count);
        }
    }
}

/// <summary>Kinds of message a channel carries, in order.</summary>
internal enum MessageKind : byte
{
    /// <summary>A <see cref="RecordBatch"/>: records, and the watermarks emitted between them.</summary>
    Records,
    Idle,
    Active,
    EndOfInput,

    /// <summary>Checkpoint barrier; <see cref="ChannelMessage.Value"/> is the checkpoint id.</summary>
    Barrier,
}

/// <summary>One in-band message: a record batch or a control event. Control events travel in order with records.</summary>
internal readonly struct ChannelMessage(MessageKind kind, object? batch, long value)
{
    public readonly MessageKind Kind = kind;
    public readonly object? Batch = batch;
    public readonly long Value = value;

    public int RecordCount => Kind == MessageKind.Records ? ((IRecordCount)Batch!).Count : 0;
}

/// <summary>Lets the gate count queued records without knowing the batch's record type.</summary>
internal interface IRecordCount
{
    int Count { get; }
}
