using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The accumulator of one <see cref="AggregateCall"/>: a few fields of the aggregation's accumulator row (starting
/// at <see cref="Offset"/>), plus, for retractable MIN/MAX/FIRST_VALUE/LAST_VALUE/LISTAGG, a map state of values.
/// <see cref="RowAggregator"/> applies FILTER and DISTINCT before calling it: a slot sees every row that counts.
/// </summary>
/// <remarks>
/// Contracts: <see cref="Accumulate"/> and <see cref="Retract"/> ignore rows whose argument is null (except
/// <c>COUNT(*)</c>); a retraction undoes one earlier accumulation of an equal row. <c>ns</c> arguments
/// name the window (0 for a group aggregation): map entries of different namespaces never mix. Numeric slots
/// allocate nothing. Task thread only.
/// </remarks>
internal abstract class AggregateSlot(AggregateCall call, Schema input)
{
    /// <summary>The call.</summary>
    public AggregateCall Call { get; } = call;

    /// <summary>The input schema.</summary>
    protected Schema Input { get; } = input;

    /// <summary>The first argument's input field, or -1 for <c>COUNT(*)</c>.</summary>
    protected int Argument { get; } = call.Arguments.Count > 0 ? call.Arguments[0] : -1;

    /// <summary>The first argument's kind (<see cref="DataTypeKind.BigInt"/> for <c>COUNT(*)</c>).</summary>
    protected DataTypeKind ArgumentKind { get; } = call.Arguments.Count > 0 ? input[call.Arguments[0]].Type.Kind : DataTypeKind.BigInt;

    /// <summary>The result's kind.</summary>
    protected DataTypeKind ResultKind { get; } = call.ResultType.Kind;

    /// <summary>The index of the slot's first field in the accumulator row; set once by <see cref="RowAggregator"/>.</summary>
    public int Offset { get; set; }

    /// <summary>The aggregation the slot belongs to (its encoder and arrival counter); set once by <see cref="RowAggregator"/>.</summary>
    public RowAggregator Owner { get; set; } = null!;

    /// <summary>The types of the slot's accumulator fields (all nullable).</summary>
    public abstract IReadOnlyList<DataType> AccumulatorTypes { get; }

    /// <summary>Whether the slot reads the per-key arrival sequence (<see cref="RowAggregator.NextSequence"/>).</summary>
    public virtual bool NeedsSequence => false;

    /// <summary>Creates the slot's map states (if any), named with <paramref name="name"/>; called in the operator's <c>Open</c>.</summary>
    public virtual void Open(IKeyedStateStore state, string name, StateTtlConfig? ttl) { }

    /// <summary>Sets the slot's fields of <paramref name="accumulator"/> to the empty aggregate.</summary>
    public abstract void Reset(Row accumulator);

    /// <summary>Adds <paramref name="row"/>.</summary>
    public abstract void Accumulate(Row accumulator, Row row, long ns);

    /// <summary>Removes one earlier accumulation of a row equal to <paramref name="row"/>.</summary>
    public abstract void Retract(Row accumulator, Row row, long ns);

    /// <summary>Folds the aggregate of <paramref name="source"/> (namespace <paramref name="sourceNs"/>) into <paramref name="target"/> (namespace <paramref name="targetNs"/>).</summary>
    public abstract void Merge(Row target, long targetNs, Row source, long sourceNs);

    /// <summary>Writes the aggregate's value into field <paramref name="index"/> of <paramref name="output"/>.</summary>
    public abstract void WriteResult(Row accumulator, long ns, Row output, int index);

    /// <summary>Forgets the map entries of namespace <paramref name="ns"/> (a fired window, a deleted group).</summary>
    public virtual void ClearNamespace(long ns) { }

    /// <summary>Whether every argument of <paramref name="row"/> is non-null.</summary>
    protected bool ArgumentsPresent(Row row)
    {
        var arguments = Call.Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (row.IsNull(arguments[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Adds <paramref name="delta"/> to the BIGINT accumulator field <paramref name="index"/> (null counts as 0).</summary>
    protected static void AddCount(Row accumulator, int index, long delta) =>
        accumulator.SetInt64(index, (accumulator.IsNull(index) ? 0 : accumulator.GetInt64(index)) + delta);

    /// <summary>The BIGINT accumulator field <paramref name="index"/> (null counts as 0).</summary>
    protected static long Count(Row accumulator, int index) => accumulator.IsNull(index) ? 0 : accumulator.GetInt64(index);

    /// <summary>Writes a <see cref="long"/> result into a numeric field of any kind.</summary>
    protected static void WriteLong(Row output, int index, DataTypeKind kind, long value)
    {
        switch (kind)
        {
            case DataTypeKind.Int:
            case DataTypeKind.BigInt:
                FieldValues.WriteInt64(output, index, kind, value);
                break;
            case DataTypeKind.Decimal:
                output.SetDecimal(index, value);
                break;
            default:
                FieldValues.WriteNumber(output, index, kind, value);
                break;
        }
    }

    /// <summary>Writes a <see cref="decimal"/> result into a numeric field of any kind.</summary>
    protected static void WriteDecimal(Row output, int index, DataTypeKind kind, decimal value)
    {
        switch (kind)
        {
            case DataTypeKind.Decimal:
                output.SetDecimal(index, value);
                break;
            case DataTypeKind.Int:
            case DataTypeKind.BigInt:
                FieldValues.WriteInt64(output, index, kind, (long)decimal.Truncate(value));
                break;
            default:
                FieldValues.WriteNumber(output, index, kind, (double)value);
                break;
        }
    }
}

/// <summary>How a numeric accumulator sums: in 64-bit integers (wrapping), doubles or decimals.</summary>
internal enum NumericFamily
{
    /// <summary>INT and BIGINT, summed as <see cref="long"/>.</summary>
    Integer,

    /// <summary>FLOAT and DOUBLE, summed as <see cref="double"/>.</summary>
    Floating,

    /// <summary>DECIMAL, summed as <see cref="decimal"/>.</summary>
    Exact,
}

/// <summary><c>COUNT(*)</c> and <c>COUNT(x, …)</c>: one BIGINT count.</summary>
internal sealed class CountSlot(AggregateCall call, Schema input) : AggregateSlot(call, input)
{
    private static readonly DataType[] s_types = [DataType.BigInt];

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => s_types;

    /// <inheritdoc />
    public override void Reset(Row accumulator) => accumulator.SetInt64(Offset, 0);

    /// <inheritdoc />
    public override void Accumulate(Row accumulator, Row row, long ns)
    {
        if (ArgumentsPresent(row))
        {
            AddCount(accumulator, Offset, 1);
        }
    }

    /// <inheritdoc />
    public override void Retract(Row accumulator, Row row, long ns)
    {
        if (ArgumentsPresent(row))
        {
            AddCount(accumulator, Offset, -1);
        }
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs) => AddCount(target, Offset, Count(source, Offset));

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index) => WriteLong(output, index, ResultKind, Count(accumulator, Offset));
}

/// <summary>
/// <c>SUM</c>, <c>SUM0</c> and <c>AVG</c>: a running sum in the family of the result (SUM) or argument (AVG) and the
/// count of non-null values, so that a retraction to no values gives NULL (SUM, AVG) or 0 (SUM0).
/// </summary>
internal sealed class SumSlot : AggregateSlot
{
    private readonly NumericFamily _family;
    private readonly DataType[] _types;

    public SumSlot(AggregateCall call, Schema input) : base(call, input)
    {
        var familyKind = call.Kind == AggregateKind.Avg ? ArgumentKind : ResultKind;
        _family = Family(familyKind, call);
        var scale = familyKind == DataTypeKind.Decimal ? (call.Kind == AggregateKind.Avg ? input[Argument].Type.Scale : call.ResultType.Scale) : 0;
        _types =
        [
            _family switch
            {
                NumericFamily.Integer => DataType.BigInt,
                NumericFamily.Floating => DataType.Double,
                _ => DataType.Decimal(DataType.MaxDecimalPrecision, scale),
            },
            DataType.BigInt,
        ];
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => _types;

    /// <summary>The summing family of a numeric kind.</summary>
    /// <exception cref="SqlException">The kind is not numeric.</exception>
    public static NumericFamily Family(DataTypeKind kind, AggregateCall call) => kind switch
    {
        DataTypeKind.Int or DataTypeKind.BigInt => NumericFamily.Integer,
        DataTypeKind.Float or DataTypeKind.Double => NumericFamily.Floating,
        DataTypeKind.Decimal => NumericFamily.Exact,
        _ => throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') needs a numeric type, not {kind.ToString().ToUpperInvariant()}."),
    };

    /// <inheritdoc />
    public override void Reset(Row accumulator)
    {
        switch (_family)
        {
            case NumericFamily.Integer:
                accumulator.SetInt64(Offset, 0);
                break;
            case NumericFamily.Floating:
                accumulator.SetDouble(Offset, 0);
                break;
            default:
                accumulator.SetDecimal(Offset, 0m);
                break;
        }
        accumulator.SetInt64(Offset + 1, 0);
    }

    /// <inheritdoc />
    public override void Accumulate(Row accumulator, Row row, long ns) => Add(accumulator, row, 1);

    /// <inheritdoc />
    public override void Retract(Row accumulator, Row row, long ns) => Add(accumulator, row, -1);

    private void Add(Row accumulator, Row row, int sign)
    {
        if (row.IsNull(Argument))
        {
            return;
        }
        switch (_family)
        {
            case NumericFamily.Integer:
                accumulator.SetInt64(Offset, unchecked(accumulator.GetInt64(Offset) + (sign * FieldValues.ReadInt64(row, Argument, ArgumentKind))));
                break;
            case NumericFamily.Floating:
                accumulator.SetDouble(Offset, accumulator.GetDouble(Offset) + (sign * FieldValues.ReadDouble(row, Argument, ArgumentKind)));
                break;
            default:
                accumulator.SetDecimal(Offset, accumulator.GetDecimal(Offset) + (sign * FieldValues.ReadDecimal(row, Argument, ArgumentKind)));
                break;
        }
        accumulator.SetInt64(Offset + 1, accumulator.GetInt64(Offset + 1) + sign);
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        switch (_family)
        {
            case NumericFamily.Integer:
                target.SetInt64(Offset, unchecked(target.GetInt64(Offset) + source.GetInt64(Offset)));
                break;
            case NumericFamily.Floating:
                target.SetDouble(Offset, target.GetDouble(Offset) + source.GetDouble(Offset));
                break;
            default:
                target.SetDecimal(Offset, target.GetDecimal(Offset) + source.GetDecimal(Offset));
                break;
        }
        target.SetInt64(Offset + 1, target.GetInt64(Offset + 1) + source.GetInt64(Offset + 1));
    }

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index)
    {
        var count = accumulator.GetInt64(Offset + 1);
        if (count == 0)
        {
            if (Call.Kind == AggregateKind.Sum0)
            {
                WriteLong(output, index, ResultKind, 0);
            }
            else
            {
                output.SetNull(index);
            }
            return;
        }
        var average = Call.Kind == AggregateKind.Avg;
        switch (_family)
        {
            case NumericFamily.Integer:
                var sum = accumulator.GetInt64(Offset);
                if (average && ResultKind is DataTypeKind.Int or DataTypeKind.BigInt)
                {
                    WriteLong(output, index, ResultKind, sum / count);
                }
                else if (average)
                {
                    WriteDecimal(output, index, ResultKind, (decimal)sum / count);
                }
                else
                {
                    WriteLong(output, index, ResultKind, sum);
                }
                break;
            case NumericFamily.Floating:
                var total = accumulator.GetDouble(Offset);
                FieldValues.WriteNumber(output, index, ResultKind, average ? total / count : total);
                break;
            default:
                var exact = accumulator.GetDecimal(Offset);
                WriteDecimal(output, index, ResultKind, average ? exact / count : exact);
                break;
        }
    }
}
