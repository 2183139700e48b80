using System.Reflection;
using Sluice.Schemas;

namespace Sluice.Sql.Expressions;

/// <summary>
/// One signature of a scalar function, built-in or user-defined, backed by a .NET method. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>The method's parameters are the SQL parameters, mapped from their CLR types (<c>string</c> → VARCHAR,
/// <c>int</c> → INT, <c>long</c> → BIGINT, <c>double</c> → DOUBLE, <c>decimal</c> → any DECIMAL, <c>DateTime</c> →
/// any TIMESTAMP, <c>DateTimeOffset</c> → any TIMESTAMP_LTZ, <c>DateOnly</c> → DATE, …), except: a leading
/// <see cref="SqlEvaluationContext"/> receives the evaluation context; a <see cref="RegexCallSite"/> receives the call
/// site's regex cache; a <see cref="TimeUnit"/> takes a constant string argument ('DAY', 'HOUR', …) resolved when the
/// call is bound; a trailing <c>params string[]</c> makes the function variadic; a trailing <c>out bool</c> reports a
/// NULL result.</para>
/// <para>NULL: the method is not called when an argument is NULL and its parameter does not accept NULL (a
/// <see cref="Nullable{T}"/> or a <c>string?</c>); the result is then NULL. A method returning a nullable type may also
/// return NULL.</para>
/// </remarks>
internal sealed class FunctionOverload
{
    private readonly ParameterSource[] _sources;

    internal FunctionOverload(string name, MethodInfo method, object? target, bool isDeterministic, Func<IReadOnlyList<DataType>, DataType>? resultType, DataType? fixedResult)
    {
        Name = name;
        Method = method;
        Target = target;
        IsDeterministic = isDeterministic;
        var parameters = method.GetParameters();
        var nullability = new NullabilityInfoContext();
        _sources = new ParameterSource[parameters.Length];
        var sql = new List<FunctionParameter>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var type = parameter.ParameterType;
            if (type == typeof(SqlEvaluationContext))
            {
                _sources[i] = ParameterSource.Context;
            }
            else if (type == typeof(RegexCallSite))
            {
                _sources[i] = ParameterSource.Regex;
            }
            else if (type.IsByRef && i == parameters.Length - 1 && parameter.IsOut && type.GetElementType() == typeof(bool))
            {
                _sources[i] = ParameterSource.NullFlag;
                ReturnsNullFlag = true;
            }
            else if (i == parameters.Length - 1 && type == typeof(string[]) && parameter.IsDefined(typeof(ParamArrayAttribute)))
            {
                _sources[i] = ParameterSource.Variadic;
                IsVariadic = true;
                sql.Add(new FunctionParameter(parameter.Name ?? "values", ParameterShape.Varchar, nullability.Create(parameter).ElementType?.ReadState == NullabilityState.Nullable));
            }
            else
            {
                _sources[i] = ParameterSource.Sql;
                var underlying = System.Nullable.GetUnderlyingType(type);
                var acceptsNull = underlying is not null || (!type.IsValueType && nullability.Create(parameter).ReadState == NullabilityState.Nullable);
                sql.Add(new FunctionParameter(parameter.Name ?? $"p{i}", ShapeOf(underlying ?? type, name), acceptsNull));
            }
        }
        Parameters = sql;
        var returnType = method.ReturnType;
        ReturnsNullable = System.Nullable.GetUnderlyingType(returnType) is not null
            || (!returnType.IsValueType && nullability.Create(method.ReturnParameter).ReadState != NullabilityState.NotNull);
        ReturnClrType = System.Nullable.GetUnderlyingType(returnType) ?? returnType;
        _resultType = resultType;
        _fixedResult = fixedResult ?? DefaultResultType(method, name);
    }

    private readonly Func<IReadOnlyList<DataType>, DataType>? _resultType;
    private readonly DataType _fixedResult;

    /// <summary>The function's SQL name (upper case).</summary>
    public string Name { get; }

    /// <summary>The SQL parameters, in order (the last repeats when <see cref="IsVariadic"/>).</summary>
    public IReadOnlyList<FunctionParameter> Parameters { get; }

    /// <summary>Whether the last parameter takes any number of arguments.</summary>
    public bool IsVariadic { get; }

    /// <summary>Whether equal arguments always give equal results; non-deterministic calls are never constant-folded.</summary>
    public bool IsDeterministic { get; }

    /// <summary>The signature as error messages list it, for example <c>SUBSTRING(VARCHAR, INT, INT)</c>.</summary>
    public string Signature
    {
        get
        {
            var parts = new string[Parameters.Count];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = ShapeText(Parameters[i].Shape) + (IsVariadic && i == parts.Length - 1 ? "..." : "");
            }
            return $"{Name}({string.Join(", ", parts)})";
        }
    }

    internal MethodInfo Method { get; }

    internal object? Target { get; }

    internal bool ReturnsNullFlag { get; }

    internal bool ReturnsNullable { get; }

    internal Type ReturnClrType { get; }

    internal IReadOnlyList<ParameterSource> Sources => _sources;

    /// <inheritdoc />
    public override string ToString() => Signature;

    /// <summary>The conversion cost of calling this overload with arguments of <paramref name="types"/> (null: a bare NULL), or −1 when it cannot be.</summary>
    internal int Cost(IReadOnlyList<DataType?> types)
    {
        var count = Parameters.Count;
        if (IsVariadic ? types.Count < count - 1 : types.Count != count)
        {
            return -1;
        }
        var cost = 0;
        for (var i = 0; i < types.Count; i++)
        {
            var parameter = Parameters[Math.Min(i, count - 1)];
            var one = ArgumentCost(parameter.Shape, types[i]);
            if (one < 0)
            {
                return -1;
            }
            cost += one;
        }
        // A fixed-arity overload wins over a variadic one that takes the same arguments.
        return IsVariadic ? cost + 1 : cost;
    }

    /// <summary>Builds the call: arguments cast to the parameters, unit arguments checked, the result type computed.</summary>
    internal CallExpression Bind(IReadOnlyList<BoundExpression> arguments, SqlPosition? position)
    {
        var bound = new BoundExpression[arguments.Count];
        var types = new DataType[arguments.Count];
        var nullable = ReturnsNullable || ReturnsNullFlag;
        for (var i = 0; i < bound.Length; i++)
        {
            var parameter = Parameters[Math.Min(i, Parameters.Count - 1)];
            var argument = arguments[i];
            if (parameter.Shape == ParameterShape.Unit)
            {
                if (argument is not LiteralExpression { Value: string unit } || !TryParseUnit(unit, out _))
                {
                    throw new SqlException($"{Name} takes a time unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR) as its argument {i + 1}, not {argument}.", argument.Position ?? position);
                }
                bound[i] = argument;
            }
            else
            {
                bound[i] = BoundExpressions.Coerce(argument, TargetType(parameter.Shape, argument));
            }
            types[i] = bound[i].Type;
            if (!parameter.AcceptsNull && bound[i].Type.IsNullable)
            {
                nullable = true;
            }
        }
        var result = _resultType is null ? _fixedResult : _resultType(types);
        return new CallExpression(this, bound, result.WithNullability(nullable), position);
    }

    internal static bool TryParseUnit(string text, out TimeUnit unit) =>
        Enum.TryParse(text.Trim().TrimEnd('S', 's'), ignoreCase: true, out unit) && Enum.IsDefined(unit);

    private static int ArgumentCost(ParameterShape shape, DataType? type)
    {
        if (type is null)
        {
            return shape == ParameterShape.Unit ? -1 : 0;
        }
        if (shape == ParameterShape.Unit)
        {
            return type.Kind == DataTypeKind.Varchar ? 0 : -1;
        }
        var kind = KindOf(shape);
        if (type.Kind == kind)
        {
            return 0;
        }
        if (SqlTypeRules.IsNumeric(type) && kind is DataTypeKind.Int or DataTypeKind.BigInt or DataTypeKind.Decimal or DataTypeKind.Float or DataTypeKind.Double)
        {
            var distance = NumericRank(kind) - NumericRank(type.Kind);
            return distance > 0 ? distance : -1;
        }
        return type.Kind == DataTypeKind.Date && kind == DataTypeKind.Timestamp ? 1 : -1;
    }

    private static DataType TargetType(ParameterShape shape, BoundExpression argument)
    {
        var type = argument is LiteralExpression { IsUntypedNull: true } ? null : argument.Type;
        return shape switch
        {
            ParameterShape.Decimal => type is null ? DataType.Decimal(DataType.MaxDecimalPrecision, 10) : SqlTypeRules.AsDecimal(type),
            ParameterShape.Timestamp => type is { Kind: DataTypeKind.Timestamp } ? type : DataType.Timestamp(type is null ? 3 : 0),
            ParameterShape.TimestampLtz => type is { Kind: DataTypeKind.TimestampLtz } ? type : DataType.TimestampLtz(3),
            ParameterShape.Time => type is { Kind: DataTypeKind.Time } ? type : DataType.Time(0),
            ParameterShape.Row or ParameterShape.Array or ParameterShape.Map => type ?? throw new SqlException("A bare NULL cannot be a ROW, ARRAY or MAP argument; CAST it.", argument.Position),
            _ => FixedType(shape),
        };
    }

    private static DataType FixedType(ParameterShape shape) => shape switch
    {
        ParameterShape.Boolean => DataType.Boolean,
        ParameterShape.Int => DataType.Int,
        ParameterShape.BigInt => DataType.BigInt,
        ParameterShape.Float => DataType.Float,
        ParameterShape.Double => DataType.Double,
        ParameterShape.Bytes => DataType.Bytes,
        ParameterShape.Date => DataType.Date,
        _ => DataType.Varchar,
    };

    private static DataTypeKind KindOf(ParameterShape shape) => shape switch
    {
        ParameterShape.Boolean => DataTypeKind.Boolean,
        ParameterShape.Int => DataTypeKind.Int,
        ParameterShape.BigInt => DataTypeKind.BigInt,
        ParameterShape.Float => DataTypeKind.Float,
        ParameterShape.Double => DataTypeKind.Double,
        ParameterShape.Decimal => DataTypeKind.Decimal,
        ParameterShape.Bytes => DataTypeKind.Bytes,
        ParameterShape.Date => DataTypeKind.Date,
        ParameterShape.Time => DataTypeKind.Time,
        ParameterShape.Timestamp => DataTypeKind.Timestamp,
        ParameterShape.TimestampLtz => DataTypeKind.TimestampLtz,
        ParameterShape.Row => DataTypeKind.Row,
        ParameterShape.Array => DataTypeKind.Array,
        ParameterShape.Map => DataTypeKind.Map,
        _ => DataTypeKind.Varchar,
    };

    private static int NumericRank(DataTypeKind kind) => kind switch
    {
        DataTypeKind.Int => 0,
        DataTypeKind.BigInt => 1,
        DataTypeKind.Decimal => 2,
        DataTypeKind.Float => 3,
        _ => 4,
    };

    private static string ShapeText(ParameterShape shape) => shape switch
    {
        ParameterShape.Unit => "<time unit>",
        ParameterShape.Decimal => "DECIMAL",
        ParameterShape.Timestamp => "TIMESTAMP",
        ParameterShape.TimestampLtz => "TIMESTAMP_LTZ",
        ParameterShape.Time => "TIME",
        ParameterShape.Row => "ROW",
        ParameterShape.Array => "ARRAY",
        ParameterShape.Map => "MAP",
        _ => FixedType(shape).NotNull().ToString().Replace(" NOT NULL", "", StringComparison.Ordinal),
    };

    private static ParameterShape ShapeOf(Type type, string function)
    {
        if (type == typeof(TimeUnit))
        {
            return ParameterShape.Unit;
        }
        return type switch
        {
            _ when type == typeof(bool) => ParameterShape.Boolean,
            _ when type == typeof(int) => ParameterShape.Int,
            _ when type == typeof(long) => ParameterShape.BigInt,
            _ when type == typeof(float) => ParameterShape.Float,
            _ when type == typeof(double) => ParameterShape.Double,
            _ when type == typeof(decimal) => ParameterShape.Decimal,
            _ when type == typeof(string) => ParameterShape.Varchar,
            _ when type == typeof(byte[]) => ParameterShape.Bytes,
            _ when type == typeof(DateOnly) => ParameterShape.Date,
            _ when type == typeof(TimeOnly) => ParameterShape.Time,
            _ when type == typeof(DateTime) => ParameterShape.Timestamp,
            _ when type == typeof(DateTimeOffset) => ParameterShape.TimestampLtz,
            _ when type == typeof(Row) => ParameterShape.Row,
            _ when type == typeof(IReadOnlyList<object?>) => ParameterShape.Array,
            _ when type == typeof(IReadOnlyList<KeyValuePair<object, object?>>) => ParameterShape.Map,
            _ => throw new NotSupportedException(
                $"Function {function} has a parameter of type {type.Name}, which has no SQL type; use bool, int, long, float, double, decimal, string, byte[], " +
                "DateOnly, TimeOnly, DateTime, DateTimeOffset, Row, IReadOnlyList<object?> or IReadOnlyList<KeyValuePair<object, object?>> (or their Nullable forms)."),
        };
    }

    private static DataType DefaultResultType(MethodInfo method, string name)
    {
        var type = System.Nullable.GetUnderlyingType(method.ReturnType) ?? method.ReturnType;
        var hint = method.ReturnParameter.GetCustomAttribute<DataTypeHintAttribute>();
        if (hint is not null)
        {
            return DataType.Parse(hint.Type);
        }
        if (type == typeof(DateTime))
        {
            return DataType.Timestamp(3);
        }
        if (type == typeof(DateTimeOffset))
        {
            return DataType.TimestampLtz(3);
        }
        if (type == typeof(void))
        {
            throw new NotSupportedException($"Function {name}'s method {method.Name} returns nothing; a scalar function returns a value.");
        }
        return RecordMapping.MapClrType(type, null, $"{name} result").Nullable();
    }
}

/// <summary>A SQL parameter of a <see cref="FunctionOverload"/>.</summary>
/// <param name="Name">The .NET parameter name.</param>
/// <param name="Shape">The SQL type family it takes.</param>
/// <param name="AcceptsNull">Whether the method is called with NULL for it (otherwise a NULL argument makes the result NULL).</param>
internal sealed record FunctionParameter(string Name, ParameterShape Shape, bool AcceptsNull);

/// <summary>The SQL type family a function parameter takes; numeric arguments widen to it, DATE widens to TIMESTAMP.</summary>
internal enum ParameterShape
{
    /// <summary>BOOLEAN.</summary>
    Boolean,

    /// <summary>INT.</summary>
    Int,

    /// <summary>BIGINT.</summary>
    BigInt,

    /// <summary>FLOAT.</summary>
    Float,

    /// <summary>DOUBLE.</summary>
    Double,

    /// <summary>DECIMAL of any precision and scale (INT and BIGINT widen to it).</summary>
    Decimal,

    /// <summary>VARCHAR.</summary>
    Varchar,

    /// <summary>BYTES.</summary>
    Bytes,

    /// <summary>DATE.</summary>
    Date,

    /// <summary>TIME of any precision.</summary>
    Time,

    /// <summary>TIMESTAMP of any precision.</summary>
    Timestamp,

    /// <summary>TIMESTAMP_LTZ of any precision.</summary>
    TimestampLtz,

    /// <summary>Any ROW.</summary>
    Row,

    /// <summary>Any ARRAY.</summary>
    Array,

    /// <summary>Any MAP.</summary>
    Map,

    /// <summary>A time unit keyword, passed as a constant string.</summary>
    Unit,
}

/// <summary>Where a .NET method parameter of a function gets its value.</summary>
internal enum ParameterSource
{
    Sql,
    Context,
    Regex,
    Variadic,
    NullFlag,
}
