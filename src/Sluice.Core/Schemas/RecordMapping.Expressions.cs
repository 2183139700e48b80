using System.Linq.Expressions;
using System.Reflection;

namespace Sluice.Schemas;

/// <summary>The compiled conversions: expression trees built from the mapping, compiled once per record type.</summary>
internal sealed partial class RecordMapping
{
    private static readonly MethodInfo s_isNull = typeof(Row).GetMethod(nameof(Row.IsNull))!;
    private static readonly MethodInfo s_setNull = typeof(Row).GetMethod(nameof(Row.SetNull))!;

    private static Delegate CompileToRow(Type type, PropertyInfo[] properties, Schema schema)
    {
        var value = Expression.Parameter(type, "value");
        var row = Expression.Parameter(typeof(Row), "row");
        var variables = new List<ParameterExpression>();
        var body = new List<Expression>(properties.Length + 1);
        for (var i = 0; i < properties.Length; i++)
        {
            body.Add(SetField(row, i, Expression.Property(value, properties[i]), properties[i].PropertyType, schema[i].Type, variables));
        }
        body.Add(Expression.Empty());
        var lambda = Expression.Lambda(typeof(Action<,>).MakeGenericType(type, typeof(Row)), Expression.Block(variables, body), value, row);
        return lambda.Compile();
    }

    private static Expression SetField(ParameterExpression row, int index, Expression value, Type clr, DataType type, List<ParameterExpression> variables)
    {
        var position = Expression.Constant(index);
        if (Nullable.GetUnderlyingType(clr) is { } underlying)
        {
            // Read the property once.
            var temporary = Expression.Variable(clr, "field" + index);
            variables.Add(temporary);
            return Expression.Block(
                Expression.Assign(temporary, value),
                Expression.IfThenElse(
                    Expression.Property(temporary, nameof(Nullable<int>.HasValue)),
                    SetField(row, index, Expression.Call(temporary, clr.GetMethod(nameof(Nullable<int>.GetValueOrDefault), Type.EmptyTypes)!), underlying, type, variables),
                    Expression.Call(row, s_setNull, position)));
        }
        var setter = typeof(Row).GetMethod(SetterName(type.Kind))!;
        var converted = ToRowValue(value, clr, type);
        var parameter = setter.GetParameters()[1].ParameterType;
        return Expression.Call(row, setter, position, converted.Type == parameter ? converted : Expression.Convert(converted, parameter));
    }

    /// <summary>A non-null .NET value as the value a row holds for <paramref name="type"/> (null stays null for reference types).</summary>
    private static Expression ToRowValue(Expression value, Type clr, DataType type)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Int when clr != typeof(int):
            case DataTypeKind.BigInt when clr != typeof(long):
                return Expression.Convert(value, type.ClrType);
            case DataTypeKind.Decimal when clr == typeof(ulong):
                return Expression.Convert(value, typeof(decimal));
            case DataTypeKind.Varchar when clr.IsEnum:
                return Expression.Call(typeof(EnumText<>).MakeGenericType(clr).GetMethod(nameof(EnumText<DayOfWeek>.Name))!, value);
            case DataTypeKind.Varchar when clr == typeof(Guid):
                return Expression.Call(Helper(nameof(RecordValues.GuidText)), value);
            case DataTypeKind.Timestamp:
                return Expression.Call(Helper(nameof(RecordValues.TimestampOf)), value);
            case DataTypeKind.TimestampLtz:
                return Expression.Call(Helper(nameof(RecordValues.InstantOf)), value);
            case DataTypeKind.Row:
                var nested = For(clr);
                return Expression.Call(
                    Helper(nameof(RecordValues.ToNestedRow), clr), value, Expression.Constant(nested.Schema), Expression.Constant(nested.ToRow));
            case DataTypeKind.Array:
                var element = ElementTypeOf(clr)!;
                return Expression.Call(
                    Helper(nameof(RecordValues.ToValues), element),
                    Expression.Convert(value, typeof(IReadOnlyList<>).MakeGenericType(element)),
                    Expression.Constant(CompileToObject(element, type.ElementType!)));
            case DataTypeKind.Map:
                var entry = EntryTypesOf(clr)!.Value;
                var helper = clr.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? nameof(RecordValues.DictionaryEntries) : nameof(RecordValues.ReadOnlyDictionaryEntries);
                return Expression.Call(
                    Helper(helper, entry.Key, entry.Value), value,
                    Expression.Constant(CompileToObject(entry.Key, type.KeyType!)), Expression.Constant(CompileToObject(entry.Value, type.ValueType!)));
            default:
                return value;
        }
    }

    /// <summary>A <c>Func&lt;clr, object?&gt;</c>: an array or map element as the boxed value a row holds.</summary>
    private static Delegate CompileToObject(Type clr, DataType type)
    {
        var value = Expression.Parameter(clr, "element");
        Expression body;
        if (Nullable.GetUnderlyingType(clr) is { } underlying)
        {
            body = Expression.Condition(
                Expression.Property(value, nameof(Nullable<int>.HasValue)),
                Expression.Convert(ToRowValue(Expression.Property(value, nameof(Nullable<int>.Value)), underlying, type), typeof(object)),
                Expression.Constant(null, typeof(object)));
        }
        else
        {
            body = Expression.Convert(ToRowValue(value, clr, type), typeof(object));
        }
        return Expression.Lambda(typeof(Func<,>).MakeGenericType(clr, typeof(object)), body, value).Compile();
    }

    private static Delegate CompileFromRow(Type type, PropertyInfo[] properties, ParameterInfo?[] parameters, Schema schema)
    {
        var row = Expression.Parameter(typeof(Row), "row");
        var values = new Expression[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            values[i] = GetField(row, i, properties[i], schema[i]);
        }
        var (constructor, arguments) = ChooseConstructor(type, properties, parameters);
        var used = new bool[properties.Length];
        var argumentValues = new Expression[arguments.Length];
        for (var a = 0; a < arguments.Length; a++)
        {
            argumentValues[a] = values[arguments[a]];
            used[arguments[a]] = true;
        }
        var bindings = new List<MemberBinding>();
        for (var i = 0; i < properties.Length; i++)
        {
            if (!used[i])
            {
                bindings.Add(Expression.Bind(properties[i], values[i]));
            }
        }
        var created = constructor is null ? Expression.New(type) : Expression.New(constructor, argumentValues);
        var lambda = Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(Row), type), Expression.MemberInit(created, bindings), row);
        return lambda.Compile();
    }

    /// <summary>
    /// The constructor to call and which property each of its parameters takes: a positional record's primary one, else
    /// the public constructor taking the most properties (by name, ignoring case, and type) such that every other
    /// property has a public setter or init accessor. A struct may use its default constructor.
    /// </summary>
    private static (ConstructorInfo? Constructor, int[] Arguments) ChooseConstructor(Type type, PropertyInfo[] properties, ParameterInfo?[] parameters)
    {
        if (parameters.Length > 0 && parameters[0]?.Member is ConstructorInfo primary)
        {
            return (primary, [.. Enumerable.Range(0, properties.Length)]);
        }
        (ConstructorInfo? Constructor, int[] Arguments)? best = type.IsValueType && properties.All(p => p.SetMethod is { IsPublic: true }) ? (null, []) : null;
        foreach (var constructor in type.GetConstructors())
        {
            var arguments = new List<int>();
            foreach (var parameter in constructor.GetParameters())
            {
                var index = Array.FindIndex(properties, p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase) && p.PropertyType == parameter.ParameterType);
                if (index < 0 || arguments.Contains(index))
                {
                    arguments.Clear();
                    arguments.Add(-1);
                    break;
                }
                arguments.Add(index);
            }
            var settable = Enumerable.Range(0, properties.Length).All(i => arguments.Contains(i) || properties[i].SetMethod is { IsPublic: true });
            if (!arguments.Contains(-1) && settable && (best is null || arguments.Count > best.Value.Arguments.Length))
            {
                best = (constructor, [.. arguments]);
            }
        }
        return best ?? throw new InvalidOperationException(
            $"{TypeName(type)} cannot be built from a row: no public constructor takes the properties that have no public setter. " +
            "Add a constructor whose parameters are named after the properties, or setters.");
    }

    private static Expression GetField(ParameterExpression row, int index, PropertyInfo property, Field field)
    {
        var position = Expression.Constant(index);
        var clr = property.PropertyType;
        var getter = typeof(Row).GetMethod(GetterName(field.Type.Kind))!;
        var read = Expression.Call(row, getter, position);
        var isNull = Expression.Call(row, s_isNull, position);
        if (Nullable.GetUnderlyingType(clr) is { } underlying)
        {
            return Expression.Condition(isNull, Expression.Default(clr), Expression.Convert(FromRowValue(read, underlying, field.Type), clr));
        }
        if (clr.IsValueType)
        {
            var fail = Expression.Call(
                Helper(nameof(RecordValues.NullField), clr), Expression.Constant(field.Name), Expression.Constant($"{property.DeclaringType!.Name}.{property.Name}"));
            return Expression.Condition(isNull, fail, FromRowValue(read, clr, field.Type));
        }
        return FromRowValue(read, clr, field.Type);
    }

    /// <summary>The value a row holds for <paramref name="type"/> (typed as <see cref="DataType.ClrType"/>) as the .NET <paramref name="clr"/>.</summary>
    private static Expression FromRowValue(Expression value, Type clr, DataType type)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Int when clr != typeof(int):
            case DataTypeKind.BigInt when clr != typeof(long):
                return Expression.ConvertChecked(value, clr);
            case DataTypeKind.Decimal when clr == typeof(ulong):
                return Expression.Call(Helper(nameof(RecordValues.ToUInt64)), value);
            case DataTypeKind.Varchar when clr.IsEnum:
                return Expression.Call(typeof(EnumText<>).MakeGenericType(clr).GetMethod(nameof(EnumText<DayOfWeek>.Parse))!, value);
            case DataTypeKind.Varchar when clr == typeof(Guid):
                return Expression.Call(Helper(nameof(RecordValues.ParseGuid)), value);
            case DataTypeKind.Row:
                return Expression.Call(Helper(nameof(RecordValues.FromNestedRow), clr), value, Expression.Constant(For(clr)));
            case DataTypeKind.Array:
                var element = ElementTypeOf(clr)!;
                var toList = clr.IsGenericType && clr.GetGenericTypeDefinition() == typeof(List<>);
                var list = Expression.Call(
                    Helper(toList ? nameof(RecordValues.ToList) : nameof(RecordValues.ToArray), element), value,
                    Expression.Constant(CompileFromObject(element, type.ElementType!)));
                return list.Type == clr ? list : Expression.Convert(list, clr);
            case DataTypeKind.Map:
                var entry = EntryTypesOf(clr)!.Value;
                var map = Expression.Call(
                    Helper(nameof(RecordValues.ToDictionary), entry.Key, entry.Value), value,
                    Expression.Constant(CompileFromObject(entry.Key, type.KeyType!)), Expression.Constant(CompileFromObject(entry.Value, type.ValueType!)));
                return map.Type == clr ? map : Expression.Convert(map, clr);
            default:
                return value;
        }
    }

    /// <summary>A <c>Func&lt;object?, clr&gt;</c>: a boxed array or map element as its .NET value.</summary>
    private static Delegate CompileFromObject(Type clr, DataType type)
    {
        var value = Expression.Parameter(typeof(object), "element");
        var underlying = Nullable.GetUnderlyingType(clr);
        var target = underlying ?? clr;
        var held = type.ClrType;
        var unboxed = held.IsValueType
            ? Expression.Call(Helper(nameof(RecordValues.ElementAs), held), value)
            : Expression.Call(Helper(nameof(RecordValues.ElementOrNull), held), value);
        Expression body = FromRowValue(unboxed, target, type);
        if (underlying is not null)
        {
            body = Expression.Condition(Expression.Equal(value, Expression.Constant(null)), Expression.Default(clr), Expression.Convert(body, clr));
        }
        return Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(object), clr), body, value).Compile();
    }

    private static MethodInfo Helper(string name, params Type[] typeArguments)
    {
        var method = typeof(RecordValues).GetMethod(name)!;
        return typeArguments.Length == 0 ? method : method.MakeGenericMethod(typeArguments);
    }

    private static string SetterName(DataTypeKind kind) => "Set" + AccessorSuffix(kind);

    private static string GetterName(DataTypeKind kind) => "Get" + AccessorSuffix(kind);

    private static string AccessorSuffix(DataTypeKind kind) => kind switch
    {
        DataTypeKind.Boolean => nameof(Row.GetBoolean)[3..],
        DataTypeKind.Int => nameof(Row.GetInt32)[3..],
        DataTypeKind.BigInt => nameof(Row.GetInt64)[3..],
        DataTypeKind.Float => nameof(Row.GetSingle)[3..],
        DataTypeKind.Double => nameof(Row.GetDouble)[3..],
        DataTypeKind.Decimal => nameof(Row.GetDecimal)[3..],
        DataTypeKind.Varchar => nameof(Row.GetString)[3..],
        DataTypeKind.Bytes => nameof(Row.GetBytes)[3..],
        DataTypeKind.Date => nameof(Row.GetDate)[3..],
        DataTypeKind.Time => nameof(Row.GetTime)[3..],
        DataTypeKind.Timestamp => nameof(Row.GetTimestamp)[3..],
        DataTypeKind.TimestampLtz => nameof(Row.GetTimestampLtz)[3..],
        DataTypeKind.Row => nameof(Row.GetRow)[3..],
        DataTypeKind.Array => nameof(Row.GetArray)[3..],
        DataTypeKind.Map => nameof(Row.GetMap)[3..],
        _ => throw new InvalidOperationException($"Unknown kind {kind}."),
    };
}
