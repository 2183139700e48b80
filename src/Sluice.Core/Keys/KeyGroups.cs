using System.Runtime.CompilerServices;

namespace Sluice;

/// <summary>
/// A contiguous range of key groups <c>[Start, End]</c> (inclusive) owned by one subtask. Keyed state is partitioned
/// by key group, so a job restored with another parallelism reassigns whole key groups.
/// </summary>
/// <param name="Start">First key group in the range.</param>
/// <param name="End">Last key group in the range (inclusive); <c>End &lt; Start</c> means empty.</param>
public readonly record struct KeyGroupRange(int Start, int End)
{
    /// <summary>Number of key groups in the range.</summary>
    public int Count => End >= Start ? End - Start + 1 : 0;

    /// <summary>True when <paramref name="keyGroup"/> lies inside the range.</summary>
    public bool Contains(int keyGroup) => keyGroup >= Start && keyGroup <= End;
}

/// <summary>Key → key group → subtask arithmetic, the same everywhere a key is routed or its state is stored.</summary>
public static class KeyGroups
{
    /// <summary>Default number of key groups per job: the largest parallelism a job's keyed state can be rescaled to.</summary>
    public const int DefaultCount = 128;

    /// <summary>Maps a stable key hash to its key group in <c>[0, keyGroupCount)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Assign(int keyHash, int keyGroupCount) => (int)(Murmur3.Mix((uint)keyHash) % (uint)keyGroupCount);

    /// <summary>The subtask in <c>[0, parallelism)</c> that owns <paramref name="keyGroup"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OwnerOf(int keyGroup, int keyGroupCount, int parallelism) => (int)((long)keyGroup * parallelism / keyGroupCount);

    /// <summary>The key groups owned by <paramref name="subtask"/>: the inverse of <see cref="OwnerOf"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Parallelism exceeds the key-group count, or the subtask index is out of range.</exception>
    public static KeyGroupRange RangeFor(int subtask, int keyGroupCount, int parallelism)
    {
        if (parallelism < 1 || parallelism > keyGroupCount)
        {
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism must be in [1, {keyGroupCount}] (the job's key-group count).");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(subtask);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(subtask, parallelism);
        var start = (int)((((long)subtask * keyGroupCount) + parallelism - 1) / parallelism);
        var end = (int)(((((long)subtask + 1) * keyGroupCount) + parallelism - 1) / parallelism) - 1;
        return new KeyGroupRange(start, end);
    }
}
