using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// The aggregate calls of one aggregation over rows of an input schema, on an accumulator row of
/// <see cref="AccumulatorSchema"/>: the group key values, the count of rows accumulated minus rows retracted, each
/// call's fields (<see cref="AggregateSlot"/>) and the caller's extra fields (a window's bounds). Applies FILTER
/// (the row counts for a call when its BOOLEAN filter field is TRUE) and DISTINCT (a map state of argument values →
/// multiplicity per call: the value reaches the call when its multiplicity goes 0 → 1, and leaves it on 1 → 0).
/// </summary>
/// <remarks>
/// <para>The operators keep the accumulator row in keyed state as bytes (<see cref="AccumulatorSerializer"/>); the
/// map states created in <see cref="Open"/> belong to the same key, and their entries are namespaced (0 for a group
/// aggregation, the window for window aggregations) so one key's windows do not mix.</para>
/// <para>Per record, numeric calls (COUNT, SUM, SUM0, AVG, VAR/STDDEV, BOOL_AND/OR, and MIN/MAX/FIRST_VALUE/LAST_VALUE
/// on insert-only input) allocate nothing; DISTINCT and the retractable value calls allocate their map keys.
/// Not thread-safe: one instance per operator subtask.</para>
/// </remarks>
internal sealed class RowAggregator
{
    private readonly Schema _input;
    private readonly int[] _groupFields;
    private readonly AggregateSlot[] _slots;
    private readonly IMapState<string, long>?[] _distinct;
    private readonly bool _retracts;
    private readonly StateWriter _encoder = new(64);
    private readonly Row _scratch;
    private IValueState<long>? _sequence;
    private bool _merging;

    /// <summary>Plans the calls.</summary>
    /// <param name="input">The input rows' schema.</param>
    /// <param name="groupFields">The group key fields, by index into <paramref name="input"/>.</param>
    /// <param name="calls">The aggregate calls, in output order.</param>
    /// <param name="retracts">Whether the input may hold -U/-D rows (Flink's <c>needRetraction</c>): MIN, MAX, FIRST_VALUE, LAST_VALUE and LISTAGG then keep their values in map state.</param>
    /// <param name="extraFields">Fields the caller keeps at the end of the accumulator row (a window's bounds).</param>
    /// <exception cref="SqlException">A call's field index is out of range, its arguments do not fit its kind, or its FILTER field is not BOOLEAN.</exception>
    public RowAggregator(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, bool retracts, IReadOnlyList<Field>? extraFields = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(groupFields);
        ArgumentNullException.ThrowIfNull(calls);
        _input = input;
        _retracts = retracts;
        _groupFields = [.. groupFields];
        foreach (var field in _groupFields)
        {
            CheckField(input, field, $"Group key field ${field}");
        }
        _slots = new AggregateSlot[calls.Count];
        _distinct = new IMapState<string, long>?[calls.Count];
        var fields = new List<Field>();
        for (var i = 0; i < _groupFields.Length; i++)
        {
            fields.Add(new Field("key" + i, input[_groupFields[i]].Type.Nullable()));
        }
        fields.Add(new Field("rows", DataType.BigInt));
        for (var i = 0; i < calls.Count; i++)
        {
            _slots[i] = CreateSlot(calls[i], input, retracts);
            _slots[i].Offset = fields.Count;
            _slots[i].Owner = this;
            var types = _slots[i].AccumulatorTypes;
            for (var j = 0; j < types.Count; j++)
            {
                fields.Add(new Field($"agg{i}_{j}", types[j].Nullable()));
            }
        }
        ExtraFieldOffset = fields.Count;
        if (extraFields is not null)
        {
            fields.AddRange(extraFields);
        }
        AccumulatorSchema = new Schema(fields);
        _scratch = new Row(input);
    }

    /// <summary>The accumulator rows' schema (every field nullable).</summary>
    public Schema AccumulatorSchema { get; }

    /// <summary>The index of the row count (BIGINT) in the accumulator row.</summary>
    public int RowCountField => _groupFields.Length;

    /// <summary>The index of the first of the caller's extra fields in the accumulator row.</summary>
    public int ExtraFieldOffset { get; }

    /// <summary>The number of group key fields (the output's first fields).</summary>
    public int GroupCount => _groupFields.Length;

    /// <summary>
    /// The output schema of an aggregation: the group key fields (names and types of the input), then one field per
    /// call (its name and result type), then <paramref name="trailing"/>.
    /// </summary>
    public static Schema OutputSchema(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, IEnumerable<Field>? trailing = null)
    {
        var fields = new List<Field>();
        foreach (var index in groupFields)
        {
            CheckField(input, index, $"Group key field ${index}");
            fields.Add(input[index] with { Description = null });
        }
        foreach (var call in calls)
        {
            fields.Add(new Field(call.Name, call.ResultType));
        }
        if (trailing is not null)
        {
            fields.AddRange(trailing);
        }
        return new Schema(fields);
    }

    /// <summary>Creates the calls' map states; call from the operator's <c>Open</c>.</summary>
    /// <param name="state">The operator's keyed state.</param>
    /// <param name="ttl">The state TTL (<c>table.exec.state.ttl</c>), or null.</param>
    /// <param name="merging">Whether accumulators are merged (session windows): FIRST_VALUE/LAST_VALUE then record arrival order.</param>
    public void Open(IKeyedStateStore state, StateTtlConfig? ttl, bool merging)
    {
        _merging = merging;
        var needsSequence = false;
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].Open(state, "agg" + i, ttl);
            needsSequence |= _slots[i].NeedsSequence && (_retracts || merging);
            if (_slots[i].Call.Distinct)
            {
                _distinct[i] = state.GetMapState(new MapStateDescriptor<string, long>($"agg{i}-distinct") { Ttl = ttl });
            }
        }
        if (needsSequence)
        {
            _sequence = state.GetState(new ValueStateDescriptor<long>("sequence") { Ttl = ttl });
        }
    }

    /// <summary>
    /// Whether <see cref="Merge"/> reads only the source accumulator row and leaves every namespace's map entries
    /// alone: insert-only input (no value lists), no DISTINCT call and no call in arrival order (FIRST_VALUE,
    /// LAST_VALUE, LISTAGG). A source can then be merged into several targets and kept (the slices of HOP windows).
    /// </summary>
    public bool MergesRowsOnly => !_retracts && _slots.All(static slot => !slot.Call.Distinct && !slot.NeedsSequence);

    /// <summary>Starts <paramref name="accumulator"/> for the group of <paramref name="row"/>: its key values, no rows, every call empty.</summary>
    public void Initialize(Row accumulator, Row row)
    {
        for (var i = 0; i < _groupFields.Length; i++)
        {
            row.CopyFieldTo(_groupFields[i], accumulator, i);
        }
        accumulator.SetInt64(RowCountField, 0);
        foreach (var slot in _slots)
        {
            slot.Reset(accumulator);
        }
    }

    /// <summary>The rows accumulated minus the rows retracted.</summary>
    public long RowCount(Row accumulator) => accumulator.GetInt64(RowCountField);

    /// <summary>Adds <paramref name="row"/> to every call (FILTER and DISTINCT applied) in namespace <paramref name="ns"/>.</summary>
    public void Accumulate(Row accumulator, Row row, long ns)
    {
        accumulator.SetInt64(RowCountField, accumulator.GetInt64(RowCountField) + 1);
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            if (!Counts(slot.Call, row))
            {
                continue;
            }
            var distinct = _distinct[i];
            if (distinct is not null)
            {
                var key = DistinctKey(slot.Call, row, ns);
                if (key is null)
                {
                    continue;
                }
                var seen = distinct.TryGetValue(key, out var count) ? count : 0;
                distinct.Put(key, seen + 1);
                if (seen > 0)
                {
                    continue;
                }
            }
            slot.Accumulate(accumulator, row, ns);
        }
    }

    /// <summary>Removes one earlier accumulation of a row equal to <paramref name="row"/> from every call.</summary>
    public void Retract(Row accumulator, Row row, long ns)
    {
        accumulator.SetInt64(RowCountField, accumulator.GetInt64(RowCountField) - 1);
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            if (!Counts(slot.Call, row))
            {
                continue;
            }
            var distinct = _distinct[i];
            if (distinct is not null)
            {
                var key = DistinctKey(slot.Call, row, ns);
                if (key is null || !distinct.TryGetValue(key, out var count))
                {
                    continue;
                }
                if (count > 1)
                {
                    distinct.Put(key, count - 1);
                    continue;
                }
                distinct.Remove(key);
            }
            slot.Retract(accumulator, row, ns);
        }
    }

    /// <summary>Writes the group key values and every call's value into the first fields of <paramref name="output"/>.</summary>
    public void WriteOutput(Row accumulator, long ns, Row output)
    {
        for (var i = 0; i < _groupFields.Length; i++)
        {
            accumulator.CopyFieldTo(i, output, i);
        }
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].WriteResult(accumulator, ns, output, _groupFields.Length + i);
        }
    }

    /// <summary>Writes every call's value into <paramref name="output"/> from field <paramref name="firstIndex"/> on (an OVER aggregation's appended fields).</summary>
    public void WriteResults(Row accumulator, long ns, Row output, int firstIndex)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].WriteResult(accumulator, ns, output, firstIndex + i);
        }
    }

    /// <summary>
    /// Folds <paramref name="source"/> (namespace <paramref name="sourceNs"/>) into <paramref name="target"/>
    /// (namespace <paramref name="targetNs"/>) and moves the source namespace's map entries to the target's; the
    /// caller then forgets the source accumulator.
    /// </summary>
    public void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        target.SetInt64(RowCountField, target.GetInt64(RowCountField) + source.GetInt64(RowCountField));
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
            var distinct = _distinct[i];
            if (distinct is null)
            {
                slot.Merge(target, targetNs, source, sourceNs);
                continue;
            }
            // A value both sides saw must count once: rebuild the call from the merged distinct values.
            MoveCounts(distinct, sourceNs, targetNs);
            slot.ClearNamespace(sourceNs);
            slot.ClearNamespace(targetNs);
            slot.Reset(target);
            foreach (var entry in distinct.Entries)
            {
                if (!NamespacedKeys.InNamespace(entry.Key, targetNs))
                {
                    continue;
                }
                var reader = NamespacedKeys.ValueReader(entry.Key);
                foreach (var argument in slot.Call.Arguments)
                {
                    FieldValues.Decode(reader, _scratch, argument, _input[argument].Type.Kind);
                }
                slot.Accumulate(target, _scratch, targetNs);
            }
        }
    }

    /// <summary>Forgets every map entry of namespace <paramref name="ns"/> (after a window fired or a group was deleted).</summary>
    public void ClearNamespace(long ns)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].ClearNamespace(ns);
            if (_distinct[i] is { } distinct)
            {
                RemoveNamespace(distinct, ns);
            }
        }
    }

    /// <summary>The bytes of field <paramref name="index"/> of <paramref name="row"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Encode(Row row, int index, DataTypeKind kind)
    {
        _encoder.Reset();
        FieldValues.Encode(_encoder, row, index, kind);
        return _encoder.WrittenSpan;
    }

    /// <summary>The current key's next arrival number (0, 1, 2, …), kept in keyed state.</summary>
    public long NextSequence()
    {
        var state = _sequence!;
        var next = state.TryGet(out var last) ? last + 1 : 0;
        state.Update(next);
        return next;
    }

    /// <summary>The next arrival number when accumulators merge (session windows), else 0: only merging compares them.</summary>
    public long SequenceForMerging() => _merging ? NextSequence() : 0;

    /// <summary>Moves the counts of namespace <paramref name="from"/> into namespace <paramref name="to"/>, adding to counts already there.</summary>
    public static void MoveCounts(IMapState<string, long> counts, long from, long to)
    {
        var moved = new List<KeyValuePair<string, long>>();
        foreach (var entry in counts.Entries)
        {
            if (NamespacedKeys.InNamespace(entry.Key, from))
            {
                moved.Add(entry);
            }
        }
        foreach (var entry in moved)
        {
            counts.Remove(entry.Key);
            var key = NamespacedKeys.Rebase(entry.Key, to);
            counts.Put(key, (counts.TryGetValue(key, out var existing) ? existing : 0) + entry.Value);
        }
    }

    /// <summary>Removes the entries of namespace <paramref name="ns"/>.</summary>
    public static void RemoveNamespace<TValue>(IMapState<string, TValue> map, long ns)
    {
        List<string>? doomed = null;
        foreach (var entry in map.Entries)
        {
            if (NamespacedKeys.InNamespace(entry.Key, ns))
            {
                (doomed ??= []).Add(entry.Key);
            }
        }
        if (doomed is not null)
        {
            foreach (var key in doomed)
            {
                map.Remove(key);
            }
        }
    }

    /// <summary>The error for a retraction reaching a call planned for insert-only input.</summary>
    public static InvalidOperationException UnexpectedRetraction(AggregateCall call) =>
        new($"Aggregate '{call.Name}' ({call.Kind.ToString().ToUpperInvariant()}) received a retraction, but the aggregation was planned for insert-only input; plan it with retractions.");

    private static bool Counts(AggregateCall call, Row row)
    {
        var filter = call.FilterArgument;
        return filter < 0 || (!row.IsNull(filter) && row.GetBoolean(filter));
    }

    // The namespace and every argument's value; null when an argument is null (DISTINCT ignores such rows).
    private string? DistinctKey(AggregateCall call, Row row, long ns)
    {
        _encoder.Reset();
        foreach (var argument in call.Arguments)
        {
            if (row.IsNull(argument))
            {
                return null;
            }
            FieldValues.Encode(_encoder, row, argument, _input[argument].Type.Kind);
        }
        return NamespacedKeys.Create(ns, _encoder.WrittenSpan);
    }

    private static AggregateSlot CreateSlot(AggregateCall call, Schema input, bool retracts)
    {
        foreach (var argument in call.Arguments)
        {
            CheckField(input, argument, $"Argument ${argument} of aggregate '{call.Name}'");
        }
        if (call.FilterArgument >= 0)
        {
            CheckField(input, call.FilterArgument, $"FILTER field ${call.FilterArgument} of aggregate '{call.Name}'");
            if (input[call.FilterArgument].Type.Kind != DataTypeKind.Boolean)
            {
                throw new SqlException($"The FILTER of aggregate '{call.Name}' must be BOOLEAN, not {input[call.FilterArgument].Type}.");
            }
        }
        var needsArgument = call.Kind != AggregateKind.CountStar;
        if (needsArgument && call.Arguments.Count == 0)
        {
            throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') needs an argument.");
        }
        if (call.Distinct)
        {
            foreach (var argument in call.Arguments)
            {
                if (!FieldValues.IsScalar(input[argument].Type.Kind))
                {
                    throw new SqlException($"DISTINCT in aggregate '{call.Name}' cannot compare values of type {input[argument].Type}.");
                }
            }
        }
        switch (call.Kind)
        {
            case AggregateKind.CountStar:
            case AggregateKind.Count:
                return new CountSlot(call, input);
            case AggregateKind.Sum:
            case AggregateKind.Sum0:
            case AggregateKind.Avg:
                return new SumSlot(call, input);
            case AggregateKind.StddevPop:
            case AggregateKind.StddevSamp:
            case AggregateKind.VarPop:
            case AggregateKind.VarSamp:
                SumSlot.Family(input[call.Arguments[0]].Type.Kind, call);
                return new MomentsSlot(call, input);
            case AggregateKind.BoolAnd:
            case AggregateKind.BoolOr:
                if (input[call.Arguments[0]].Type.Kind != DataTypeKind.Boolean)
                {
                    throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') needs a BOOLEAN argument, not {input[call.Arguments[0]].Type}.");
                }
                return new BoolSlot(call, input);
            case AggregateKind.Min:
            case AggregateKind.Max:
                return new ExtremumSlot(call, input, retracts);
            default:
                return new OrderedValueSlot(call, input, retracts);
        }
    }

    private static void CheckField(Schema input, int index, string what)
    {
        if (index < 0 || index >= input.Count)
        {
            throw new SqlException($"{what} is out of range: the input has {input.Count} fields.");
        }
    }
}
