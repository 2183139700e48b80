using System.Runtime.CompilerServices;
using Sluice.State.Serialization;

namespace Sluice.Runtime.State;

/// <summary>
/// Deep copies of state values, for copy-on-write while a snapshot is being written: a value that is immutable
/// (primitives, strings, unmanaged structs, tuples of such, windows) is returned as is; anything else is copied
/// through its state serializer, which is correct for every type a checkpoint can hold.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal static class StateCopier<T>
{
    /// <summary>True when values of <typeparamref name="T"/> cannot change after creation, so sharing them is safe.</summary>
    public static readonly bool IsImmutable = StateCopier.IsImmutableType(typeof(T));

    [ThreadStatic]
    private static StateWriter? s_scratch;

    /// <summary>A copy of <paramref name="value"/> that shares nothing mutable with it.</summary>
    public static T Copy(T value)
    {
        if (IsImmutable)
        {
            return value;
        }
        var serializer = StateSerializers.For<T>();
        var scratch = s_scratch ??= new StateWriter();
        scratch.Reset();
        serializer.Write(scratch, value);
        return serializer.Read(new StateReader(scratch.WrittenSpan.ToArray()), serializer.Version);
    }
}

internal static class StateCopier
{
    /// <summary>Whether values of <paramref name="type"/> are immutable (conservative: false when unsure).</summary>
    public static bool IsImmutableType(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal))
        {
            return true;
        }
        if (!type.IsValueType)
        {
            return false;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return IsImmutableType(underlying);
        }
        if (type.IsGenericType && (type.FullName ?? "").StartsWith("System.ValueTuple`", StringComparison.Ordinal)
            || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            return type.GetGenericArguments().All(IsImmutableType);
        }
        // A struct without references cannot share anything mutable.
        return !(bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!
            .MakeGenericMethod(type).Invoke(null, null)!;
    }
}
