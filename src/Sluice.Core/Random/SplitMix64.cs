using System.Runtime.CompilerServices;

namespace Sluice;

/// <summary>
/// SplitMix64 (the generator behind Java's SplittableRandom): tiny, fast, good enough for synthetic data, and
/// seedable per item so a generated item (a Nexmark event, a datagen row) is a pure function of (seed, item number).
/// A mutable struct: pass by ref.
/// </summary>
public struct SplitMix64
{
    private ulong _state;

    /// <summary>Creates a generator from a seed.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A generator for one event, mixing the run's seed with the event id.</summary>
    public static SplitMix64 ForEvent(ulong seed, long eventId) => new(Mix(seed ^ ((ulong)eventId * 0x9E3779B97F4A7C15UL)));

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>A uniform integer in [0, <paramref name="bound"/>); <paramref name="bound"/> must be positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int bound) => (int)(((NextUInt64() >> 32) * (ulong)bound) >> 32);

    /// <summary>A uniform long in [0, <paramref name="bound"/>); <paramref name="bound"/> must be positive.</summary>
    public long NextLong(long bound) => bound <= int.MaxValue ? NextInt((int)bound) : (long)(NextUInt64() % (ulong)bound);

    /// <summary>A uniform double in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 finaliser (also a good 64-bit hash mixer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
