using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Sql.Runtime;

/// <summary>
/// <c>MIN</c> and <c>MAX</c>. On insert-only input the accumulator is the extreme value itself. When the input
/// retracts, as in Flink's <c>MinWithRetract</c>, a map state holds every value with its multiplicity (key: namespace
/// and encoded value; value: count), and retracting the last copy of the current extreme scans that map for the next
/// one.
/// </summary>
internal sealed class ExtremumSlot : AggregateSlot
{
    private readonly DataType[] _types;
    private readonly bool _retracts;
    private readonly int _sign;
    private readonly Row _scratch;
    private IMapState<string, long>? _counts;

    public ExtremumSlot(AggregateCall call, Schema input, bool retracts) : base(call, input)
    {
        if (!FieldValues.IsScalar(ArgumentKind))
        {
            throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') cannot order values of type {input[Argument].Type}.");
        }
        RequireResultKind(call, ArgumentKind);
        _types = [input[Argument].Type.Nullable()];
        _retracts = retracts;
        _sign = call.Kind == AggregateKind.Min ? -1 : 1;
        _scratch = new Row(new Schema(new Field("value", _types[0])));
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => _types;

    /// <summary>Fails unless the call's result has the argument's kind (MIN, MAX, FIRST_VALUE, LAST_VALUE keep it).</summary>
    public static void RequireResultKind(AggregateCall call, DataTypeKind argumentKind)
    {
        if (call.ResultType.Kind != argumentKind)
        {
            throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') returns its argument's type {argumentKind.ToString().ToUpperInvariant()}, not {call.ResultType}.");
        }
    }

    /// <inheritdoc />
    public override void Open(IKeyedStateStore state, string name, StateTtlConfig? ttl)
    {
        if (_retracts)
        {
            _counts = state.GetMapState(new MapStateDescriptor<string, long>(name + "-values") { Ttl = ttl });
        }
    }

    /// <inheritdoc />
    public override void Reset(Row accumulator) => accumulator.SetNull(Offset);

    /// <inheritdoc />
    public override void Accumulate(Row accumulator, Row row, long ns)
    {
        if (row.IsNull(Argument))
        {
            return;
        }
        if (_counts is not null)
        {
            var key = NamespacedKeys.Create(ns, Owner.Encode(row, Argument, ArgumentKind));
            _counts.Put(key, (_counts.TryGetValue(key, out var count) ? count : 0) + 1);
        }
        if (accumulator.IsNull(Offset) || _sign * FieldValues.Compare(row, Argument, accumulator, Offset, ArgumentKind) > 0)
        {
            row.CopyFieldTo(Argument, accumulator, Offset);
        }
    }

    /// <inheritdoc />
    public override void Retract(Row accumulator, Row row, long ns)
    {
        if (row.IsNull(Argument))
        {
            return;
        }
        var counts = _counts ?? throw RowAggregator.UnexpectedRetraction(Call);
        var key = NamespacedKeys.Create(ns, Owner.Encode(row, Argument, ArgumentKind));
        if (!counts.TryGetValue(key, out var count))
        {
            return; // never accumulated (its state expired): nothing to undo
        }
        if (count > 1)
        {
            counts.Put(key, count - 1);
            return;
        }
        counts.Remove(key);
        if (!accumulator.IsNull(Offset) && FieldValues.Compare(row, Argument, accumulator, Offset, ArgumentKind) == 0)
        {
            Rescan(accumulator, ns);
        }
    }

    // The last copy of the extreme left: the next extreme is the best remaining value of the namespace.
    private void Rescan(Row accumulator, long ns)
    {
        accumulator.SetNull(Offset);
        foreach (var entry in _counts!.Entries)
        {
            if (!NamespacedKeys.InNamespace(entry.Key, ns))
            {
                continue;
            }
            FieldValues.Decode(NamespacedKeys.ValueReader(entry.Key), _scratch, 0, ArgumentKind);
            if (accumulator.IsNull(Offset) || _sign * FieldValues.Compare(_scratch, 0, accumulator, Offset, ArgumentKind) > 0)
            {
                _scratch.CopyFieldTo(0, accumulator, Offset);
            }
        }
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        if (_counts is not null)
        {
            RowAggregator.MoveCounts(_counts, sourceNs, targetNs);
        }
        if (!source.IsNull(Offset) && (target.IsNull(Offset) || _sign * FieldValues.Compare(source, Offset, target, Offset, ArgumentKind) > 0))
        {
            source.CopyFieldTo(Offset, target, Offset);
        }
    }

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index) => accumulator.CopyFieldTo(Offset, output, index);

    /// <inheritdoc />
    public override void ClearNamespace(long ns)
    {
        if (_counts is not null)
        {
            RowAggregator.RemoveNamespace(_counts, ns);
        }
    }
}

/// <summary>
/// <c>FIRST_VALUE</c>, <c>LAST_VALUE</c> (the first and last non-null value in arrival order) and <c>LISTAGG</c> (the
/// non-null values joined in arrival order). On insert-only input the accumulator holds the value (with its arrival
/// number, for merging sessions) or the joined text. When the input retracts, a map state holds every value under its
/// arrival number (key: namespace and sequence; value: the encoded value); a retraction removes the earliest equal
/// value, and the result is read from the map.
/// </summary>
internal sealed class OrderedValueSlot : AggregateSlot
{
    private readonly DataType[] _types;
    private readonly bool _retracts;
    private readonly bool _list;
    private readonly int _separator;
    private IMapState<string, string>? _values;

    public OrderedValueSlot(AggregateCall call, Schema input, bool retracts) : base(call, input)
    {
        _list = call.Kind == AggregateKind.ListAgg;
        _retracts = retracts;
        if (_list)
        {
            if (ArgumentKind != DataTypeKind.Varchar || (call.Arguments.Count > 1 && input[call.Arguments[1]].Type.Kind != DataTypeKind.Varchar))
            {
                throw new SqlException($"Aggregate LISTAGG ('{call.Name}') joins VARCHAR values with a VARCHAR separator, not {input[Argument].Type}.");
            }
            _separator = call.Arguments.Count > 1 ? call.Arguments[1] : -1;
            _types = retracts ? [DataType.Varchar] : [DataType.Varchar, DataType.Varchar];
        }
        else
        {
            if (!FieldValues.IsScalar(ArgumentKind))
            {
                throw new SqlException($"Aggregate {call.Kind.ToString().ToUpperInvariant()} ('{call.Name}') cannot keep values of type {input[Argument].Type}.");
            }
            ExtremumSlot.RequireResultKind(call, ArgumentKind);
            _types = retracts ? [] : [input[Argument].Type.Nullable(), DataType.BigInt];
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataType> AccumulatorTypes => _types;

    /// <inheritdoc />
    public override bool NeedsSequence => true;

    /// <inheritdoc />
    public override void Open(IKeyedStateStore state, string name, StateTtlConfig? ttl)
    {
        if (_retracts)
        {
            _values = state.GetMapState(new MapStateDescriptor<string, string>(name + "-ordered") { Ttl = ttl });
        }
    }

    /// <inheritdoc />
    public override void Reset(Row accumulator)
    {
        for (var i = 0; i < _types.Length; i++)
        {
            accumulator.SetNull(Offset + i);
        }
    }

    /// <inheritdoc />
    public override void Accumulate(Row accumulator, Row row, long ns)
    {
        if (row.IsNull(Argument))
        {
            return;
        }
        if (_list)
        {
            var separator = Separator(row);
            if (_values is not null)
            {
                accumulator.SetString(Offset, separator);
                _values.Put(NamespacedKeys.ForSequence(ns, Owner.NextSequence()), row.GetString(Argument)!);
                return;
            }
            var text = accumulator.GetString(Offset);
            accumulator.SetString(Offset, text is null ? row.GetString(Argument) : string.Concat(text, separator, row.GetString(Argument)));
            accumulator.SetString(Offset + 1, separator);
            return;
        }
        if (_values is not null)
        {
            _values.Put(NamespacedKeys.ForSequence(ns, Owner.NextSequence()), NamespacedKeys.ToText(Owner.Encode(row, Argument, ArgumentKind)));
            return;
        }
        if (Call.Kind == AggregateKind.LastValue || accumulator.IsNull(Offset))
        {
            row.CopyFieldTo(Argument, accumulator, Offset);
            accumulator.SetInt64(Offset + 1, Owner.SequenceForMerging());
        }
    }

    private string Separator(Row row) => _separator >= 0 && !row.IsNull(_separator) ? row.GetString(_separator)! : ",";

    /// <inheritdoc />
    public override void Retract(Row accumulator, Row row, long ns)
    {
        if (row.IsNull(Argument))
        {
            return;
        }
        var values = _values ?? throw RowAggregator.UnexpectedRetraction(Call);
        var encoded = _list ? row.GetString(Argument)! : NamespacedKeys.ToText(Owner.Encode(row, Argument, ArgumentKind));
        string? earliest = null;
        foreach (var entry in values.Entries)
        {
            if (NamespacedKeys.InNamespace(entry.Key, ns) && entry.Value == encoded && (earliest is null || string.CompareOrdinal(entry.Key, earliest) < 0))
            {
                earliest = entry.Key;
            }
        }
        if (earliest is not null)
        {
            values.Remove(earliest);
        }
    }

    /// <inheritdoc />
    public override void Merge(Row target, long targetNs, Row source, long sourceNs)
    {
        if (_values is not null)
        {
            var moved = new List<KeyValuePair<string, string>>();
            foreach (var entry in _values.Entries)
            {
                if (NamespacedKeys.InNamespace(entry.Key, sourceNs))
                {
                    moved.Add(entry);
                }
            }
            foreach (var entry in moved)
            {
                _values.Remove(entry.Key);
                _values.Put(NamespacedKeys.Rebase(entry.Key, targetNs), entry.Value);
            }
            if (_list && !source.IsNull(Offset))
            {
                source.CopyFieldTo(Offset, target, Offset);
            }
            return;
        }
        if (source.IsNull(Offset))
        {
            return;
        }
        if (_list)
        {
            var text = target.GetString(Offset);
            target.SetString(Offset, text is null ? source.GetString(Offset) : string.Concat(text, source.GetString(Offset + 1), source.GetString(Offset)));
            source.CopyFieldTo(Offset + 1, target, Offset + 1);
            return;
        }
        var sourceFirst = source.GetInt64(Offset + 1) < (target.IsNull(Offset) ? long.MaxValue : target.GetInt64(Offset + 1));
        if (target.IsNull(Offset) || (Call.Kind == AggregateKind.FirstValue) == sourceFirst)
        {
            source.CopyFieldTo(Offset, target, Offset);
            source.CopyFieldTo(Offset + 1, target, Offset + 1);
        }
    }

    /// <inheritdoc />
    public override void WriteResult(Row accumulator, long ns, Row output, int index)
    {
        if (_values is null)
        {
            accumulator.CopyFieldTo(Offset, output, index);
            return;
        }
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var entry in _values.Entries)
        {
            if (NamespacedKeys.InNamespace(entry.Key, ns))
            {
                entries.Add(entry);
            }
        }
        if (entries.Count == 0)
        {
            output.SetNull(index);
            return;
        }
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (_list)
        {
            var separator = accumulator.IsNull(Offset) ? "," : accumulator.GetString(Offset)!;
            var parts = new string[entries.Count];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = entries[i].Value;
            }
            output.SetString(index, string.Join(separator, parts));
            return;
        }
        var chosen = Call.Kind == AggregateKind.FirstValue ? entries[0] : entries[^1];
        FieldValues.Decode(NamespacedKeys.ReaderOf(chosen.Value), output, index, ArgumentKind);
    }

    /// <inheritdoc />
    public override void ClearNamespace(long ns)
    {
        if (_values is not null)
        {
            RowAggregator.RemoveNamespace(_values, ns);
        }
    }
}
