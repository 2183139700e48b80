using System.Runtime.CompilerServices;

namespace Sluice.Runtime.Transport;

/// <summary>
/// A batch of records with their timestamps (struct of arrays), the unit that moves between tasks. Owned by one
/// side at a time: the producer fills it, the channel carries it, the consumer reads it and returns it to the
/// channel's pool — so steady-state transport allocates nothing.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class RecordBatch<T>(int capacity) : IRecordCount
{
    public readonly T[] Values = new T[capacity];
    public readonly long[] Timestamps = new long[capacity];
    public int Count;

    int IRecordCount.Count => Count;

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

    /// <summary>Empties the batch, releasing references so pooled batches keep no garbage alive.</summary>
    public void Reset()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(Values, 0, Count);
        }
        Count = 0;
    }
}

/// <summary>Kinds of message a channel carries, in order.</summary>
internal enum MessageKind : byte
{
    Records,
    Watermark,
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
