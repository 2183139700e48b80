using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Sluice.State.Serialization;

/// <summary>Chooses the built-in serializer for a type; <see cref="StateSerializers"/> caches the result.</summary>
internal static class BuiltInStateSerializers
{
    private static readonly MethodInfo s_for = typeof(StateSerializers).GetMethod(nameof(StateSerializers.For))!;

    /// <summary>Creates the serializer for <paramref name="type"/>; parts of composites come from <see cref="StateSerializers.For{T}"/>.</summary>
    /// <exception cref="NotSupportedException">The type has no concrete shape to restore.</exception>
    public static object Create(Type type)
    {
        var primitive = CreatePrimitive(type);
        if (primitive is not null)
        {
            return primitive;
        }
        if (type.IsEnum)
        {
            var underlying = CreatePrimitive(Enum.GetUnderlyingType(type))!;
            var underlyingId = (string)underlying.GetType().GetProperty(nameof(IStateSerializer<int>.FormatId))!.GetValue(underlying)!;
            return Activator.CreateInstance(typeof(EnumStateSerializer<>).MakeGenericType(type), underlyingId)!;
        }
        if (type.IsSZArray)
        {
            return Composite(typeof(ArrayStateSerializer<>), type.GetElementType()!);
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            var composite = definition switch
            {
                _ when definition == typeof(Nullable<>) => typeof(NullableStateSerializer<>),
                _ when definition == typeof(ValueTuple<,>) => typeof(TupleStateSerializer<,>),
                _ when definition == typeof(ValueTuple<,,>) => typeof(TupleStateSerializer<,,>),
                _ when definition == typeof(ValueTuple<,,,>) => typeof(TupleStateSerializer<,,,>),
                _ when definition == typeof(KeyValuePair<,>) => typeof(KeyValuePairStateSerializer<,>),
                _ when definition == typeof(List<>) => typeof(ListStateSerializer<>),
                _ when definition == typeof(HashSet<>) => typeof(HashSetStateSerializer<>),
                _ when definition == typeof(Dictionary<,>) => typeof(DictionaryStateSerializer<,>),
                _ => null,
            };
            if (composite is not null)
            {
                return Composite(composite, arguments);
            }
        }
        if (type == typeof(Sluice.Schemas.Row))
        {
            throw new NotSupportedException(
                "A Row has no state serializer of its own: its encoding depends on its schema. Use " +
                "StateSerializers.ForRow(schema) (or new RowStateSerializer(schema)) and pass that serializer to the state.");
        }
        if (type == typeof(object) || type.IsInterface || type.IsAbstract || type.IsPointer || type.IsByRef ||
            type.IsByRefLike || type.IsGenericTypeDefinition || type.IsArray || typeof(Delegate).IsAssignableFrom(type))
        {
            throw new NotSupportedException(
                $"State of type '{type}' cannot be serialized: it has no concrete shape to restore. Use a concrete record " +
                "or class, or call StateSerializers.Register with an IStateSerializer for it at startup.");
        }
        return Activator.CreateInstance(typeof(JsonStateSerializer<>).MakeGenericType(type))!;
    }

    private static object Composite(Type serializerDefinition, params Type[] arguments)
    {
        try
        {
            var parts = new object[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                parts[i] = s_for.MakeGenericMethod(arguments[i]).Invoke(null, null)!;
            }
            return Activator.CreateInstance(serializerDefinition.MakeGenericType(arguments), parts)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // Surface the part's own error (e.g. NotSupportedException naming the unsupported type), not reflection's wrapper.
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static object? CreatePrimitive(Type type) => Type.GetTypeCode(type) switch
    {
        _ when type.IsEnum => null,
        TypeCode.Boolean => new BoolStateSerializer(),
        TypeCode.Byte => new ByteStateSerializer(),
        TypeCode.SByte => new SByteStateSerializer(),
        TypeCode.Int16 => new Int16StateSerializer(),
        TypeCode.UInt16 => new UInt16StateSerializer(),
        TypeCode.Char => new CharStateSerializer(),
        TypeCode.Int32 => new Int32StateSerializer(),
        TypeCode.UInt32 => new UInt32StateSerializer(),
        TypeCode.Int64 => new Int64StateSerializer(),
        TypeCode.UInt64 => new UInt64StateSerializer(),
        TypeCode.Single => new SingleStateSerializer(),
        TypeCode.Double => new DoubleStateSerializer(),
        TypeCode.Decimal => new DecimalStateSerializer(),
        TypeCode.String => new StringStateSerializer(),
        TypeCode.DateTime => new DateTimeStateSerializer(),
        _ when type == typeof(Guid) => new GuidStateSerializer(),
        _ when type == typeof(DateTimeOffset) => new DateTimeOffsetStateSerializer(),
        _ when type == typeof(TimeSpan) => new TimeSpanStateSerializer(),
        _ when type == typeof(DateOnly) => new DateOnlyStateSerializer(),
        _ when type == typeof(TimeOnly) => new TimeOnlyStateSerializer(),
        _ when type == typeof(byte[]) => new ByteArrayStateSerializer(),
        _ => null,
    };
}
