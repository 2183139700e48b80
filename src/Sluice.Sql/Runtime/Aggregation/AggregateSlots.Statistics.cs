using Sluice.Schemas;
using Sluice.Sql.Planning;

namespace Sluice.Sql.Runtime;

/// <summary>
/// <c>VAR_POP</c>, <c>VAR_SAMP</c>, <c>STDDEV_POP</c>, <c>STDDEV_SAMP</c>: the count, sum and sum of squares of the
/// non-null values as doubles (Flink rewrites these into the same sums). NULL with no value; the sample forms are
/// NULL with one value. Retraction subtracts, so long runs of inserts and retractions of fractional values can leave
/// rounding error in the last bits.
/// </summary>
internal sealed class MomentsSlot(AggregateCall call, Schema input) : AggregateSlot(call, input)
{
    private static readonly DataType[] s_types = [DataType.BigInt, DataType.Double, DataType.Double];

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => s_types;

    /// <inheritdoc />
    public override void Reset(Row accumulator)
    {
        accumulator.SetInt64(Offset, 0);
        accumulator.SetDouble(Offset + 1, 0);
        accumulator.SetDouble(Offset + 2, 0);
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
        var value = FieldValues.ReadDouble(row, Argument, ArgumentKind);
        accumulator.SetInt64(Offset, accumulator.GetInt64(Offset) + sign);
        accumulator.SetDouble(Offset + 1, accumulator.GetDouble(Offset + 1) + (sign * value));
        accumulator.SetDouble(Offset + 2, accumulator.GetDouble(Offset + 2) + (sign * value * value));
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        target.SetInt64(Offset, target.GetInt64(Offset) + source.GetInt64(Offset));
        target.SetDouble(Offset + 1, target.GetDouble(Offset + 1) + source.GetDouble(Offset + 1));
        target.SetDouble(Offset + 2, target.GetDouble(Offset + 2) + source.GetDouble(Offset + 2));
    }

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index)
    {
        var count = accumulator.GetInt64(Offset);
        var sample = Call.Kind is AggregateKind.VarSamp or AggregateKind.StddevSamp;
        if (count == 0 || (sample && count == 1))
        {
            output.SetNull(index);
            return;
        }
        var sum = accumulator.GetDouble(Offset + 1);
        var squares = accumulator.GetDouble(Offset + 2);
        // Clamped at 0: cancellation can leave a tiny negative where the exact value is 0.
        var variance = Math.Max(0, (squares - (sum * sum / count)) / (sample ? count - 1 : count));
        var value = Call.Kind is AggregateKind.StddevPop or AggregateKind.StddevSamp ? Math.Sqrt(variance) : variance;
        FieldValues.WriteNumber(output, index, ResultKind, value);
    }
}

/// <summary><c>BOOL_AND</c> and <c>BOOL_OR</c>: counts of TRUE and FALSE values, so retraction is exact. NULL with no value.</summary>
internal sealed class BoolSlot(AggregateCall call, Schema input) : AggregateSlot(call, input)
{
    private static readonly DataType[] s_types = [DataType.BigInt, DataType.BigInt];

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => s_types;

    /// <inheritdoc />
    public override void Reset(Row accumulator)
    {
        accumulator.SetInt64(Offset, 0);
        accumulator.SetInt64(Offset + 1, 0);
    }

    /// <inheritdoc />
    public override void Accumulate(Row accumulator, Row row, long ns) => Add(accumulator, row, 1);

    /// <inheritdoc />
    public override void Retract(Row accumulator, Row row, long ns) => Add(accumulator, row, -1);

    private void Add(Row accumulator, Row row, int sign)
    {
        if (!row.IsNull(Argument))
        {
            var field = row.GetBoolean(Argument) ? Offset : Offset + 1;
            accumulator.SetInt64(field, accumulator.GetInt64(field) + sign);
        }
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        target.SetInt64(Offset, target.GetInt64(Offset) + source.GetInt64(Offset));
        target.SetInt64(Offset + 1, target.GetInt64(Offset + 1) + source.GetInt64(Offset + 1));
    }

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index)
    {
        var trues = accumulator.GetInt64(Offset);
        var falses = accumulator.GetInt64(Offset + 1);
        if (trues + falses == 0)
        {
            output.SetNull(index);
        }
        else
        {
            output.SetBoolean(index, Call.Kind == AggregateKind.BoolAnd ? falses == 0 : trues > 0);
        }
    }
}
