using System.Runtime.CompilerServices;
using System.Text;
using Sluice.Schemas;

namespace Sluice.State.Serialization;

/// <summary>
/// The serializers that checkpoints use for state values, resolved per type and cached for the process.
/// </summary>
/// <remarks>
/// <para>Built in (all at version 1):</para>
/// <list type="bullet">
/// <item><description>
/// Fixed-width little-endian primitives: <c>bool</c>, <c>uint8</c>, <c>int8</c>, <c>int16</c>, <c>uint16</c>,
/// <c>char16</c>, <c>int32</c>, <c>uint32</c>, <c>int64</c>, <c>uint64</c>, <c>float32</c>, <c>float64</c>,
/// <c>decimal</c>, <c>guid</c>, <c>datetime</c> (ticks and kind), <c>datetimeoffset</c>, <c>timespan</c>,
/// <c>dateonly</c>, <c>timeonly</c>.
/// </description></item>
/// <item><description><c>utf8</c> (nullable string) and <c>bytes</c> (nullable byte array).</description></item>
/// <item><description>Enums as their underlying integer: <c>enum(int32)</c>.</description></item>
/// <item><description>
/// Composites of supported types: <c>nullable(x)</c>; <c>tuple2(a,b)</c> to <c>tuple4(a,b,c,d)</c> for value tuples
/// (and <c>tuple2(k,v)</c> for <see cref="KeyValuePair{TKey, TValue}"/>, the same encoding); <c>list(x)</c> for both
/// <c>T[]</c> and <see cref="List{T}"/>; <c>set(x)</c> for <see cref="HashSet{T}"/>; <c>map(k,v)</c> for
/// <see cref="Dictionary{TKey, TValue}"/>. Collections may be null. Restored sets and dictionaries use the default
/// equality comparer: a custom comparer is not stored.
/// </description></item>
/// <item><description>
/// Everything else that is a concrete type (records, classes, structs): UTF-8 JSON via System.Text.Json,
/// <c>json:Namespace.TypeName</c>. JSON is chosen because it evolves: members added later read as their defaults and
/// removed members are ignored. Renaming or moving the type changes the format id, and restore then refuses the old
/// checkpoint.
/// </description></item>
/// </list>
/// <para>
/// A composite's format id names its parts' ids, and a part whose version is not 1 as <c>id@vN</c>
/// (e.g. <c>list(my-format@v2)</c>): a checkpoint stores only the outer version, so a change in a part's version must
/// change the outer id and make restore refuse rather than misread.
/// </para>
/// <para>Thread-safe. Resolution takes a lock once per type; afterwards <see cref="For{T}"/> is a static field read.</para>
/// </remarks>
public static class StateSerializers
{
    private static readonly Lock s_gate = new();
    private static readonly ConditionalWeakTable<Schema, RowStateSerializer> s_rows = [];

    /// <summary>
    /// Returns the serializer for <typeparamref name="T"/>: the one registered with <see cref="Register{T}"/>, else the
    /// built-in one. The result is cached: every call for the same type returns the same instance.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// <typeparamref name="T"/> is an interface, an abstract class, <see cref="object"/>, a delegate or pointer, or a
    /// collection or tuple of such: there is no concrete type to restore. Register a serializer for it. Or
    /// <typeparamref name="T"/> is (or contains) <see cref="Row"/>, whose encoding depends on its schema: use
    /// <see cref="ForRow"/>.
    /// </exception>
    public static IStateSerializer<T> For<T>() => Cache<T>.Instance ?? Cache<T>.Resolve();

    /// <summary>
    /// Returns the serializer of <see cref="Row"/>s of <paramref name="schema"/> (see <see cref="RowStateSerializer"/>):
    /// the same instance for the same schema object while it lives. A row's bytes depend on its schema, so rows have no
    /// serializer of their own type: <see cref="For{T}"/> of <see cref="Row"/> throws.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/> is null.</exception>
    public static RowStateSerializer ForRow(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return s_rows.GetValue(schema, static s => new RowStateSerializer(s));
    }

    /// <summary>Returns the format id and version that <see cref="For{T}"/>'s serializer writes; checkpoints store these.</summary>
    /// <exception cref="NotSupportedException">As for <see cref="For{T}"/>.</exception>
    public static SerializerDescriptor Describe<T>() => SerializerDescriptor.Of(For<T>());

    /// <summary>
    /// Makes <paramref name="serializer"/> the serializer for <typeparamref name="T"/>, also inside composites such as
    /// <c>List&lt;T&gt;</c> resolved later. Call it at startup, before building or restoring any job that uses
    /// <typeparamref name="T"/>: serializers are cached process-wide, and a checkpoint written with one serializer
    /// must be restored with one of the same format id.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="serializer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// A serializer for <typeparamref name="T"/> was already resolved or registered (registering the same instance
    /// again is allowed). Register earlier, before the first <see cref="For{T}"/> of a type that contains
    /// <typeparamref name="T"/>.
    /// </exception>
    public static void Register<T>(IStateSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentException.ThrowIfNullOrWhiteSpace(serializer.FormatId, nameof(serializer));
        lock (s_gate)
        {
            var current = Cache<T>.Instance;
            if (current is not null && !ReferenceEquals(current, serializer))
            {
                throw new InvalidOperationException(
                    $"A state serializer for '{typeof(T)}' is already in use ('{current.FormatId}'). " +
                    "Call StateSerializers.Register at startup, before any job or serializer uses that type.");
            }
            Cache<T>.Instance = serializer;
        }
    }

    /// <summary>The id naming <paramref name="serializer"/> inside a composite's id: its format id, plus <c>@vN</c> when its version is not 1.</summary>
    internal static string PartId<T>(IStateSerializer<T> serializer) =>
        serializer.Version == 1 ? serializer.FormatId : $"{serializer.FormatId}@v{serializer.Version}";

    /// <summary>
    /// A deterministic name for <paramref name="type"/> without assembly names or versions:
    /// <c>Namespace.Outer+Inner</c>, generic arguments in brackets (<c>My.Box`1[System.Int32]</c>), arrays with <c>[]</c>.
    /// </summary>
    internal static string StableTypeName(Type type)
    {
        var builder = new StringBuilder();
        AppendTypeName(builder, type);
        return builder.ToString();
    }

    private static void AppendTypeName(StringBuilder builder, Type type)
    {
        if (type.IsArray)
        {
            AppendTypeName(builder, type.GetElementType()!);
            builder.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }
        if (!type.IsGenericType)
        {
            builder.Append(type.FullName ?? type.Name);
            return;
        }
        var definition = type.GetGenericTypeDefinition();
        builder.Append(definition.FullName ?? definition.Name).Append('[');
        var arguments = type.GetGenericArguments();
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }
            AppendTypeName(builder, arguments[i]);
        }
        builder.Append(']');
    }

    private static class Cache<T>
    {
        // Written under s_gate only; read without it (a reference write is atomic, and the instances are immutable).
        public static volatile IStateSerializer<T>? Instance;

        public static IStateSerializer<T> Resolve()
        {
            lock (s_gate)
            {
                return Instance ??= (IStateSerializer<T>)BuiltInStateSerializers.Create(typeof(T));
            }
        }
    }
}
