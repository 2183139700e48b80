using System.Runtime.CompilerServices;

namespace Sluice.Runtime.Transport;

/// <summary>
/// A reusable, growable buffer of records and timestamps that operators fill while processing a batch and then
/// hand downstream in one <see cref="Output{T}.CollectBatch"/> call. Grows to the largest batch seen and is reused
/// afterwards, so the steady state allocates nothing. Task thread only.
/// </summary>
internal sealed class BatchBuffer<T>(int initialCapacity)
{
    private T[] _values = new T[Math.Max(1, initialCapacity)];
    private long[] _timestamps = new long[Math.Max(1, initialCapacity)];

    public int Count;

    public ReadOnlySpan<T> Values => _values.AsSpan(0, Count);

    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    /// <summary>Makes room for <paramref name="count"/> records and returns the value slots to write directly (Count is not changed).</summary>
    public Span<T> Reserve(int count)
    {
        if (_values.Length < count)
        {
            Grow(count);
        }
        return _values.AsSpan(0, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value, long timestamp)
    {
        if (Count == _values.Length)
        {
            Grow(Count * 2);
        }
        ArrayStore.Set(_values, Count, value);
        _timestamps[Count] = timestamp;
        Count++;
    }

    /// <summary>Sends the buffered records to <paramref name="output"/> and empties the buffer.</summary>
    public void FlushTo(Output<T> output)
    {
        if (Count == 0)
        {
            return;
        }
        var n = Count;
        Count = 0;
        output.CollectBatch(_values.AsSpan(0, n), _timestamps.AsSpan(0, n));
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_values, 0, n);
        }
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _values, capacity);
        Array.Resize(ref _timestamps, capacity);
    }
}
