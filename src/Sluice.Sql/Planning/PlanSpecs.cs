using Sluice.Schemas;

namespace Sluice.Sql.Planning;

// The specifications shared by the logical plan (which the binder builds) and the SQL runtime operators (which the
// physical planner configures from it). They name input fields by index into the operator's input schema.

/// <summary>A built-in aggregate function.</summary>
internal enum AggregateKind
{
    /// <summary><c>COUNT(*)</c>: rows, nulls included; no argument.</summary>
    CountStar,

    /// <summary><c>COUNT(x)</c>: rows where x is not null.</summary>
    Count,

    /// <summary><c>SUM(x)</c>: null when no non-null input.</summary>
    Sum,

    /// <summary>The sum that is 0, not null, for no input (the second half of a split <c>COUNT</c>/<c>SUM</c>).</summary>
    Sum0,

    /// <summary><c>AVG(x)</c>, in the argument's type as in Flink (an INT average is an INT).</summary>
    Avg,

    /// <summary><c>MIN(x)</c>.</summary>
    Min,

    /// <summary><c>MAX(x)</c>.</summary>
    Max,

    /// <summary><c>FIRST_VALUE(x)</c>: the first non-null value in arrival order.</summary>
    FirstValue,

    /// <summary><c>LAST_VALUE(x)</c>: the last non-null value in arrival order.</summary>
    LastValue,

    /// <summary><c>LISTAGG(x [, separator])</c>: the values joined with the separator (',' by default).</summary>
    ListAgg,

    /// <summary><c>STDDEV_POP(x)</c>.</summary>
    StddevPop,

    /// <summary><c>STDDEV_SAMP(x)</c>.</summary>
    StddevSamp,

    /// <summary><c>VAR_POP(x)</c>.</summary>
    VarPop,

    /// <summary><c>VAR_SAMP(x)</c> (also <c>VARIANCE</c>).</summary>
    VarSamp,

    /// <summary><c>BOOL_AND(x)</c>.</summary>
    BoolAnd,

    /// <summary><c>BOOL_OR(x)</c>.</summary>
    BoolOr,
}

/// <summary>
/// One aggregate of an aggregation: <c>kind(DISTINCT? arguments) FILTER (WHERE filter)</c> producing a value of
/// <see cref="ResultType"/>.
/// </summary>
/// <param name="Kind">The function.</param>
/// <param name="Arguments">The input fields of the arguments, by index into the aggregation's input; empty for <c>COUNT(*)</c>.</param>
/// <param name="Distinct">Whether each distinct argument value counts once.</param>
/// <param name="FilterArgument">The BOOLEAN input field of <c>FILTER (WHERE …)</c> (a row counts when it is true), or -1.</param>
/// <param name="ResultType">The type of the aggregate's value.</param>
/// <param name="Name">The output field's name.</param>
internal sealed record AggregateCall(AggregateKind Kind, IReadOnlyList<int> Arguments, bool Distinct, int FilterArgument, DataType ResultType, string Name)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Kind}({(Distinct ? "DISTINCT " : "")}{string.Join(", ", Arguments.Select(a => "$" + a))}){(FilterArgument >= 0 ? $" FILTER ${FilterArgument}" : "")} AS {Name}";
}

/// <summary>The window table-valued functions (and the legacy group windows that mean the same).</summary>
internal enum WindowKind
{
    /// <summary><c>TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])</c>: fixed, non-overlapping windows.</summary>
    Tumble,

    /// <summary><c>HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset])</c>: fixed windows every slide.</summary>
    Hop,

    /// <summary><c>CUMULATE(TABLE t, DESCRIPTOR(ts), step, size)</c>: windows growing by step up to size from one start.</summary>
    Cumulate,

    /// <summary><c>SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(ts), gap)</c>: activity separated by gaps.</summary>
    Session,
}

/// <summary>
/// A window assignment: which windows a row with time field <see cref="TimeField"/> belongs to. Window bounds are
/// milliseconds since the epoch; a window is [start, end), its rowtime <c>end - 1</c>.
/// </summary>
/// <param name="Kind">The window function.</param>
/// <param name="TimeField">The time attribute field (TIMESTAMP(3) or TIMESTAMP_LTZ(3)), by index into the input.</param>
/// <param name="SizeMillis">The window size (TUMBLE, HOP, CUMULATE); the gap for SESSION.</param>
/// <param name="SlideMillis">HOP's slide or CUMULATE's step; 0 for TUMBLE and SESSION.</param>
/// <param name="OffsetMillis">The offset that shifts window starts (TUMBLE, HOP); 0 otherwise.</param>
/// <param name="IsProcessingTime">Whether <see cref="TimeField"/> is a processing-time attribute (PROCTIME()).</param>
internal sealed record WindowSpec(WindowKind Kind, int TimeField, long SizeMillis, long SlideMillis, long OffsetMillis, bool IsProcessingTime)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        WindowKind.Tumble => $"TUMBLE(${TimeField}, size={SizeMillis}ms{(OffsetMillis != 0 ? $", offset={OffsetMillis}ms" : "")})",
        WindowKind.Hop => $"HOP(${TimeField}, slide={SlideMillis}ms, size={SizeMillis}ms{(OffsetMillis != 0 ? $", offset={OffsetMillis}ms" : "")})",
        WindowKind.Cumulate => $"CUMULATE(${TimeField}, step={SlideMillis}ms, size={SizeMillis}ms)",
        _ => $"SESSION(${TimeField}, gap={SizeMillis}ms)",
    };
}

/// <summary>The kind of a join.</summary>
internal enum JoinKind
{
    /// <summary>Matching pairs only.</summary>
    Inner,

    /// <summary>Every left row; null right fields when it has no match.</summary>
    Left,

    /// <summary>Every right row; null left fields when it has no match.</summary>
    Right,

    /// <summary>Every row of both sides.</summary>
    Full,

    /// <summary>Left rows that have a match (<c>EXISTS</c>, <c>IN</c>), each once.</summary>
    Semi,

    /// <summary>Left rows that have no match (<c>NOT EXISTS</c>, <c>NOT IN</c>).</summary>
    Anti,
}

/// <summary>
/// The frame of an OVER aggregation ordered by a time attribute: <c>ROWS|RANGE BETWEEN n PRECEDING|UNBOUNDED
/// PRECEDING AND CURRENT ROW</c>.
/// </summary>
/// <param name="TimeField">The ORDER BY time attribute (TIMESTAMP(3) or TIMESTAMP_LTZ(3)), by index into the input.</param>
/// <param name="IsRows">ROWS (a count of preceding rows) rather than RANGE (a time interval before the row's time).</param>
/// <param name="Preceding">The preceding rows (ROWS) or milliseconds (RANGE) in the frame, or <see cref="Unbounded"/>.</param>
/// <param name="IsProcessingTime">Whether <see cref="TimeField"/> is a processing-time attribute (PROCTIME()).</param>
internal sealed record OverFrameSpec(int TimeField, bool IsRows, long Preceding, bool IsProcessingTime)
{
    /// <summary><see cref="Preceding"/> of <c>UNBOUNDED PRECEDING</c>.</summary>
    public const long Unbounded = -1;

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsRows ? "ROWS" : "RANGE")} BETWEEN {(Preceding == Unbounded ? "UNBOUNDED" : IsRows ? Preceding.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Preceding}ms")} PRECEDING AND CURRENT ROW ORDER BY ${TimeField}";
}
