using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Runtime.Transport;

/// <summary>Stores into arrays the runtime created itself as exactly <c>T[]</c>.</summary>
internal static class ArrayStore
{
    /// <summary>
    /// <c>array[index] = value</c> without the array-covariance type check a reference-type store costs (a call to
    /// <c>StelemRef</c> per record). Only for an array created as <c>new T[]</c>, never one a caller handed in, which
    /// may be a <c>Derived[]</c> seen as <c>T[]</c>.
    /// </summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set<T>(T[] array, int index, T value)
    {
        if ((uint)index >= (uint)array.Length)
        {
            ThrowIndexOutOfRange();
        }
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index) = value;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowIndexOutOfRange() => throw new IndexOutOfRangeException();
}
