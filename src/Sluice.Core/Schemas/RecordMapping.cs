using System.Reflection;

namespace Sluice.Schemas;

/// <summary>
/// The schema of a record type, the property behind each field and the compiled conversions (see
/// <see cref="RowConverter{T}"/>). Built once per type and cached for the process; nested record types share the cache.
/// </summary>
internal sealed partial class RecordMapping
{
    private static readonly object s_gate = new();
    private static readonly Dictionary<Type, RecordMapping> s_mappings = [];
    private static readonly HashSet<Type> s_building = [];

    private readonly Lazy<Delegate> _fromRow;

    private RecordMapping(Type type, PropertyInfo[] properties, ParameterInfo?[] parameters, Schema schema)
    {
        Type = type;
        Properties = properties;
        Schema = schema;
        ToRow = CompileToRow(type, properties, schema);
        // Compiled on first use: a type that cannot be constructed still converts to rows.
        _fromRow = new Lazy<Delegate>(() => CompileFromRow(type, properties, parameters, schema));
    }

    /// <summary>The record type.</summary>
    public Type Type { get; }

    /// <summary>The mapped schema.</summary>
    public Schema Schema { get; }

    /// <summary>The property of each field.</summary>
    public PropertyInfo[] Properties { get; }

    /// <summary>An <c>Action&lt;T, Row&gt;</c> writing every field.</summary>
    public Delegate ToRow { get; }

    /// <summary>A <c>Func&lt;Row, T&gt;</c> building a value; compiled on first use.</summary>
    /// <exception cref="InvalidOperationException">The type has no way to be constructed from its fields.</exception>
    public Delegate FromRow => _fromRow.Value;

    /// <summary>The mapping of <paramref name="type"/>, built on first use.</summary>
    /// <exception cref="ArgumentException">The type is not a record or class with public properties, or two properties map to one name.</exception>
    /// <exception cref="NotSupportedException">A property has no SQL type, a hint does not fit, or the type contains itself.</exception>
    public static RecordMapping For(Type type)
    {
        lock (s_gate)
        {
            if (s_mappings.TryGetValue(type, out var mapping))
            {
                return mapping;
            }
            if (!s_building.Add(type))
            {
                throw new NotSupportedException($"Record type {type.Name} contains itself through its properties; a row schema cannot be recursive.");
            }
            try
            {
                mapping = Build(type);
                s_mappings[type] = mapping;
                return mapping;
            }
            finally
            {
                s_building.Remove(type);
            }
        }
    }

    /// <summary>
    /// Whether a field of type <paramref name="target"/> can hold values mapped as <paramref name="mapped"/>: the same
    /// kind, with any parameters and nullability; an ARRAY, MAP or ROW must be equal apart from its own nullability.
    /// </summary>
    public static bool Fits(DataType mapped, DataType target) =>
        mapped.Kind == target.Kind
        && (mapped.Kind is not (DataTypeKind.Array or DataTypeKind.Map or DataTypeKind.Row) || mapped.Nullable().Equals(target.Nullable()));

    private static RecordMapping Build(Type type)
    {
        if (!IsRecordType(type))
        {
            throw NotARecord(type);
        }
        var (properties, parameters) = SelectProperties(type);
        if (properties.Length == 0)
        {
            throw NotARecord(type);
        }
        var nullability = new NullabilityInfoContext();
        var fields = new Field[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            fields[i] = MapProperty(type, properties[i], parameters[i], nullability);
        }
        Schema schema;
        try
        {
            schema = new Schema(fields);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Record {type.Name} cannot map to a schema: {ex.Message}", ex);
        }
        return new RecordMapping(type, properties, parameters, schema);
    }

    private static ArgumentException NotARecord(Type type) =>
        new($"Type {TypeName(type)} is not a record or class with public properties, so it has no row schema; wrap the value in a record (e.g. record Reading(long Value)).");

    /// <summary>Whether <paramref name="type"/> is one of the user's records, classes or structs (mapped to ROW).</summary>
    private static bool IsRecordType(Type type) =>
        !type.IsPrimitive && !type.IsEnum && !type.IsInterface && !type.IsAbstract && !type.IsArray && !type.IsPointer
        && !type.IsByRefLike && !type.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(type)
        && !(type.Namespace is { } space && (space == "System" || space.StartsWith("System.", StringComparison.Ordinal)))
        && type != typeof(Row) && type != typeof(Schema) && type != typeof(DataType) && type != typeof(Field);

    /// <summary>
    /// A positional record's positional properties (with their primary-constructor parameters, which may carry the
    /// attributes), else every public readable instance property in declaration order.
    /// </summary>
    private static (PropertyInfo[] Properties, ParameterInfo?[] Parameters) SelectProperties(Type type)
    {
        var all = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToArray();
        var isRecord = type.GetMethod("<Clone>$") is not null || type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
        if (isRecord)
        {
            var byName = all.ToDictionary(p => p.Name, StringComparer.Ordinal);
            var primary = type.GetConstructors()
                .Where(c => c.GetParameters() is { Length: > 0 } ps && ps.All(p => p.Name is not null && byName.TryGetValue(p.Name, out var property) && property.PropertyType == p.ParameterType))
                .MaxBy(c => c.GetParameters().Length);
            if (primary is not null)
            {
                var parameters = primary.GetParameters();
                return ([.. parameters.Select(p => byName[p.Name!])], parameters);
            }
        }
        return (all, new ParameterInfo?[all.Length]);
    }

    private static Field MapProperty(Type owner, PropertyInfo property, ParameterInfo? parameter, NullabilityInfoContext nullability)
    {
        var where = $"{owner.Name}.{property.Name}";
        var name = (property.GetCustomAttribute<FieldNameAttribute>() ?? parameter?.GetCustomAttribute<FieldNameAttribute>())?.Name ?? property.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"Property {where} has an empty [FieldName]; give the field a name.");
        }
        var type = MapType(property.PropertyType, nullability.Create(property), where, property.PropertyType);
        var hint = property.GetCustomAttribute<DataTypeHintAttribute>() ?? parameter?.GetCustomAttribute<DataTypeHintAttribute>();
        if (hint is not null)
        {
            DataType hinted;
            try
            {
                hinted = DataType.Parse(hint.Type);
            }
            catch (FormatException ex)
            {
                throw new NotSupportedException($"Property {where} has [DataTypeHint(\"{hint.Type}\")], which is not a SQL type: {ex.Message}", ex);
            }
            if (!Fits(type, hinted))
            {
                throw new NotSupportedException(
                    $"Property {where} of type {TypeName(property.PropertyType)} maps to {type}; [DataTypeHint(\"{hint.Type}\")] must keep that kind " +
                    "(it may change a DECIMAL's precision and scale or a TIME or TIMESTAMP's precision).");
            }
            type = hinted.WithNullability(type.IsNullable);
        }
        return new Field(name, type);
    }

    /// <summary>
    /// The SQL type a value of CLR type <paramref name="type"/> maps to, nullability included, by the same rules as a
    /// record property (the SQL layer's user functions use it for their parameters and results).
    /// </summary>
    /// <exception cref="NotSupportedException">The type has no SQL type; the message names <paramref name="where"/>.</exception>
    internal static DataType MapClrType(Type type, NullabilityInfo? nullability, string where) => MapType(type, nullability, where, type);

    /// <summary>The SQL type of a property (or element) type, nullability included.</summary>
    private static DataType MapType(Type type, NullabilityInfo? nullability, string where, Type propertyType)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return MapKind(underlying, nullability, where, propertyType);
        }
        var type1 = MapKind(type, nullability, where, propertyType);
        return type.IsValueType || nullability?.ReadState == NullabilityState.NotNull ? type1.NotNull() : type1;
    }

    /// <summary>The SQL type of a non-nullable .NET type, as a nullable type.</summary>
    private static DataType MapKind(Type type, NullabilityInfo? nullability, string where, Type propertyType)
    {
        if (type.IsEnum || type == typeof(string) || type == typeof(Guid))
        {
            return DataType.Varchar;
        }
        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Boolean:
                return DataType.Boolean;
            case TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32:
                return DataType.Int;
            case TypeCode.UInt32 or TypeCode.Int64:
                return DataType.BigInt;
            case TypeCode.UInt64:
                return DataType.Decimal(20, 0);
            case TypeCode.Single:
                return DataType.Float;
            case TypeCode.Double:
                return DataType.Double;
            case TypeCode.Decimal:
                return DataType.Decimal(28, 10);
            case TypeCode.DateTime:
                return DataType.Timestamp(7);
            default:
                break;
        }
        if (type == typeof(byte[]))
        {
            return DataType.Bytes;
        }
        if (type == typeof(DateOnly))
        {
            return DataType.Date;
        }
        if (type == typeof(TimeOnly))
        {
            return DataType.Time(7);
        }
        if (type == typeof(DateTimeOffset))
        {
            return DataType.TimestampLtz(7);
        }
        if (ElementTypeOf(type) is { } element)
        {
            var elementNullability = type.IsArray ? nullability?.ElementType : nullability?.GenericTypeArguments.FirstOrDefault();
            return DataType.Array(MapType(element, elementNullability, where, propertyType));
        }
        if (EntryTypesOf(type) is { } entry)
        {
            var arguments = nullability?.GenericTypeArguments;
            return DataType.Map(
                MapType(entry.Key, arguments?.ElementAtOrDefault(0), where, propertyType),
                MapType(entry.Value, arguments?.ElementAtOrDefault(1), where, propertyType));
        }
        if (IsRecordType(type))
        {
            return DataType.Row(For(type).Schema);
        }
        var part = type == propertyType ? "" : $" (its part {TypeName(type)})";
        throw new NotSupportedException(
            $"Property {where} of type {TypeName(propertyType)}{part} has no SQL type. Use bool, a signed or unsigned integer, float, double, decimal, " +
            "string, byte[], DateOnly, TimeOnly, DateTime, DateTimeOffset, an enum, Guid, a record of your own, T[], List<T>, IReadOnlyList<T>, " +
            "Dictionary<K, V> or IReadOnlyDictionary<K, V> of those; or leave the property out of the record.");
    }

    /// <summary>The element type of <c>T[]</c> (not <c>byte[]</c>), <c>List&lt;T&gt;</c> or <c>IReadOnlyList&lt;T&gt;</c>; else null.</summary>
    internal static Type? ElementTypeOf(Type type)
    {
        if (type.IsSZArray && type != typeof(byte[]))
        {
            return type.GetElementType();
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)))
        {
            return type.GetGenericArguments()[0];
        }
        return null;
    }

    /// <summary>The key and value types of <c>Dictionary&lt;K, V&gt;</c> or <c>IReadOnlyDictionary&lt;K, V&gt;</c>; else null.</summary>
    internal static KeyValuePair<Type, Type>? EntryTypesOf(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
        {
            var arguments = type.GetGenericArguments();
            return new KeyValuePair<Type, Type>(arguments[0], arguments[1]);
        }
        return null;
    }

    /// <summary><c>List&lt;Int32&gt;</c> rather than <c>List`1</c>.</summary>
    internal static string TypeName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeName(underlying) + "?";
        }
        if (!type.IsGenericType)
        {
            return type.Name;
        }
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }
}
