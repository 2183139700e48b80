using Sluice.Operators;
using Sluice.Schemas;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What a <see cref="DeduplicateOperator"/> keeps: <c>ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) = 1</c>
/// over an insert-only input, without the row number in the output. Immutable.
/// </summary>
/// <param name="Input">The input (and output) schema.</param>
/// <param name="PartitionKeys">The PARTITION BY fields, by index (at least one).</param>
/// <param name="KeepLast">DESC: keep the last row of each key; ASC (false): keep the first.</param>
/// <param name="TimeField">
/// The ORDER BY time attribute: a rowtime field (TIMESTAMP or TIMESTAMP_LTZ) by index, or −1 for a processing-time
/// attribute (arrival order).
/// </param>
internal sealed record DeduplicateSpec(Schema Input, IReadOnlyList<int> PartitionKeys, bool KeepLast, int TimeField)
{
    /// <summary><c>table.exec.state.ttl</c>: a key's kept row is forgotten this long (processing time) after it was written; null keeps it.</summary>
    public TimeSpan? StateTtl { get; init; }

    /// <summary>
    /// The changelog the operator emits: <see cref="ChangelogMode.InsertOnly"/> when keeping the first row by processing
    /// time, else <see cref="ChangelogMode.All"/> (<c>+I</c>, <c>-U</c>, <c>+U</c>).
    /// </summary>
    public ChangelogMode OutputMode => !KeepLast && TimeField < 0 ? ChangelogMode.InsertOnly : ChangelogMode.All;

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">No partition key, a field out of range, or a time field that is not a timestamp.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Input);
        ArgumentNullException.ThrowIfNull(PartitionKeys);
        if (PartitionKeys.Count == 0)
        {
            throw new ArgumentException("A deduplication needs at least one PARTITION BY field.", nameof(PartitionKeys));
        }
        foreach (var key in PartitionKeys)
        {
            JoinRows.CheckIndex(Input, key, "deduplicated");
        }
        if (TimeField >= 0)
        {
            JoinRows.CheckIndex(Input, TimeField, "deduplicated");
            if (Input[TimeField].Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new ArgumentException($"A deduplication orders by a time attribute; '{Input[TimeField].Name}' is {Input[TimeField].Type}.", nameof(TimeField));
            }
        }
    }
}

/// <summary>
/// Flink's deduplication: per key, keeps the first or the last row by processing time (arrival) or by a rowtime field.
/// </summary>
/// <remarks>
/// <para>Output (the input schema), as Flink: keep-first by processing time emits each key's first row as <c>+I</c> and
/// drops the rest (insert-only). Keep-first by rowtime emits the first row <c>+I</c>, and when a row with an earlier
/// rowtime arrives later, <c>-U</c> of the kept row and <c>+U</c> of the new one. Keep-last emits the first row
/// <c>+I</c> and then, for each later row (by rowtime: each row whose time is not earlier than the kept row's),
/// <c>-U</c> of the kept row and <c>+U</c> of the new one. Rows carry the input record's timestamp. The input must be
/// insert-only; a row of another kind is treated as a new row.</para>
/// <para>State, per key: value state <c>kept-row</c>, a row list (<see cref="StoredRowCodec"/>, version 1) holding the
/// kept row — or no row for keep-first by processing time, which needs only to know that the key was seen.</para>
/// <para>Task thread only; per record it allocates the stored bytes and the rows it emits.</para>
/// </remarks>
internal sealed class DeduplicateOperator : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly DeduplicateSpec _spec;
    private readonly StoredRowCodec _codec;
    private readonly List<Row> _rows = [];
    private readonly DataTypeKind _timeKind;
    private readonly bool _storeRow;
    private IValueState<byte[]> _state = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public DeduplicateOperator(DeduplicateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _codec = new StoredRowCodec(spec.Input);
        _timeKind = spec.TimeField >= 0 ? spec.Input[spec.TimeField].Type.Kind : DataTypeKind.BigInt;
        _storeRow = spec.KeepLast || spec.TimeField >= 0;
    }

    /// <summary>Keys <paramref name="input"/> by the partition keys and deduplicates it. Give the result a <c>Uid</c>.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> input, DeduplicateSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return input.KeyBy(JoinRows.KeyEncoder(spec.Input, spec.PartitionKeys).Encode)
            .Transform(name ?? $"Deduplicate(keep {(spec.KeepLast ? "last" : "first")})", () => new DeduplicateOperator(spec));
    }

    /// <inheritdoc />
    public override void Open() =>
        _state = Context.State.GetState(new ValueStateDescriptor<byte[]>("kept-row") { Ttl = _spec.StateTtl is { } t ? new StateTtlConfig(t) : null });

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        if (!_state.TryGet(out var bytes))
        {
            Keep(value);
            Output.Collect(WithKind(value, RowKind.Insert), timestamp);
            return;
        }
        if (!_storeRow)
        {
            return; // keep-first by processing time: the key's first row was emitted
        }
        _rows.Clear();
        _codec.ReadList(bytes, _rows);
        var kept = _rows[0];
        if (_spec.TimeField >= 0)
        {
            var keptTime = JoinRows.TimeMillis(kept, _spec.TimeField, _timeKind);
            var time = JoinRows.TimeMillis(value, _spec.TimeField, _timeKind);
            var replace = _spec.KeepLast ? time >= keptTime : time < keptTime;
            if (!replace)
            {
                return;
            }
        }
        Keep(value);
        kept.Kind = RowKind.UpdateBefore;
        Output.Collect(kept, timestamp);
        Output.Collect(WithKind(value, RowKind.UpdateAfter), timestamp);
    }

    private void Keep(Row value)
    {
        _rows.Clear();
        if (_storeRow)
        {
            _rows.Add(value);
        }
        _state.Update(_codec.WriteList(_rows));
    }

    // The input row may be shared with other consumers: copied when its kind must change.
    private static Row WithKind(Row value, RowKind kind)
    {
        if (value.Kind == kind)
        {
            return value;
        }
        var copy = value.Copy();
        copy.Kind = kind;
        return copy;
    }
}
