using Sluice.Changelog;
using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's <c>GroupAggregate</c>: a regular <c>GROUP BY</c> (or a global aggregation without group keys) over a keyed
/// stream of rows, producing an updating changelog. Rows of kind +I/+U accumulate, -U/-D retract. For each input row
/// the operator emits <c>+I</c> when its group is new, <c>-U</c> (the previous result) then <c>+U</c> (the new one)
/// when the group's result changed, nothing when it did not, and <c>-D</c> (the previous result) when the group's
/// count of rows drops to 0 — the group is then forgotten. A retraction for a group without state (never seen, or
/// expired by TTL) is ignored, as in Flink.
/// </summary>
/// <remarks>
/// <para>Output schema (<see cref="OutputSchema"/>): the group key fields, then one field per aggregate call.
/// Emitted rows carry the input record's timestamp.</para>
/// <para>State, per group key: <c>accumulator</c>, the accumulator row as bytes (<see cref="AccumulatorSerializer"/>,
/// versioned), plus the map states of DISTINCT and retractable MIN/MAX/FIRST_VALUE/LAST_VALUE/LISTAGG calls
/// (<see cref="RowAggregator"/>). With a state TTL (Flink's <c>table.exec.state.ttl</c>) every entry expires that long
/// after its last write (processing time); an expired group starts again with <c>+I</c>.</para>
/// <para>The stream must be keyed by <see cref="KeySelector"/> of the same input schema and group fields (a global
/// aggregation keys everything to one key). Runs on the task thread only. Per record it allocates only the rows it
/// emits (none when the group's result did not change), new accumulator bytes only when a group is new or its
/// encoded accumulator changes length (else the stored bytes are rewritten in place), and the map keys of DISTINCT
/// and retractable value calls.</para>
/// </remarks>
internal sealed class GroupAggregateOperator : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly RowAggregator _aggregator;
    private readonly AccumulatorSerializer _serializer;
    private readonly Row _accumulator;
    private readonly Row _previous;
    private readonly Row _current;
    private readonly StateTtlConfig? _ttl;
    private IValueState<byte[]> _state = null!;

    /// <summary>Configures the aggregation.</summary>
    /// <param name="input">The input rows' schema.</param>
    /// <param name="groupFields">Group key fields, by index into <paramref name="input"/>; empty for a global aggregation.</param>
    /// <param name="calls">The aggregate calls.</param>
    /// <param name="inputRetracts">Whether the input may contain -U/-D rows (an updating input).</param>
    /// <param name="stateTtl">How long a group's state lives after its last update, or null to keep it forever.</param>
    /// <exception cref="SqlException">A call does not fit the input (see <see cref="RowAggregator"/>).</exception>
    public GroupAggregateOperator(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, bool inputRetracts, TimeSpan? stateTtl)
    {
        _aggregator = new RowAggregator(input, groupFields, calls, inputRetracts);
        _serializer = new AccumulatorSerializer(_aggregator.AccumulatorSchema);
        _accumulator = new Row(_aggregator.AccumulatorSchema);
        OutputSchema = RowAggregator.OutputSchema(input, groupFields, calls);
        _previous = new Row(OutputSchema);
        _current = new Row(OutputSchema);
        _ttl = stateTtl is { } ttl ? new StateTtlConfig(ttl) : null;
    }

    /// <summary>The output rows' schema: the group key fields, then the aggregates.</summary>
    public Schema OutputSchema { get; }

    /// <summary>
    /// The key of the stream this operator expects: the group key fields encoded by <see cref="RowKeyEncoder"/>, or
    /// one constant key for a global aggregation.
    /// </summary>
    public static Func<Row, string> KeySelector(Schema input, IReadOnlyList<int> groupFields)
    {
        if (groupFields.Count == 0)
        {
            return static _ => string.Empty;
        }
        var names = new string[groupFields.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = input[groupFields[i]].Name;
        }
        return new RowKeyEncoder(input, names).Encode;
    }

    /// <inheritdoc />
    public override void Open()
    {
        _state = Context.State.GetState(new ValueStateDescriptor<byte[]>("accumulator") { Ttl = _ttl });
        _aggregator.Open(Context.State, _ttl, merging: false);
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        var accumulate = value.Kind is RowKind.Insert or RowKind.UpdateAfter;
        var accumulator = _accumulator;
        var exists = _state.TryGet(out var bytes);
        if (exists)
        {
            _serializer.Deserialize(bytes, accumulator);
            // Into a reused row: the previous result is copied out only when it is emitted.
            _aggregator.WriteOutput(accumulator, 0, _previous);
        }
        else if (!accumulate)
        {
            return; // retracting a group that has no state: nothing to undo
        }
        else
        {
            _aggregator.Initialize(accumulator, value);
        }
        if (accumulate)
        {
            _aggregator.Accumulate(accumulator, value, 0);
        }
        else
        {
            _aggregator.Retract(accumulator, value, 0);
        }
        if (_aggregator.RowCount(accumulator) <= 0)
        {
            _state.Clear();
            _aggregator.ClearNamespace(0);
            if (exists)
            {
                Output.Collect(Emitted(_previous, RowKind.Delete), timestamp);
            }
            return;
        }
        _state.Update(_serializer.Serialize(accumulator, exists ? bytes : null));
        _aggregator.WriteOutput(accumulator, 0, _current);
        if (!exists)
        {
            Output.Collect(Emitted(_current, RowKind.Insert), timestamp);
            return;
        }
        if (_current.Equals(_previous))
        {
            return; // the result did not change (e.g. a MAX that was not beaten): nothing is emitted or allocated
        }
        Output.Collect(Emitted(_previous, RowKind.UpdateBefore), timestamp);
        Output.Collect(Emitted(_current, RowKind.UpdateAfter), timestamp);
    }

    // A copy of a reused result row, owned by the downstream operator.
    private static Row Emitted(Row result, RowKind kind)
    {
        var row = result.Copy();
        row.Kind = kind;
        return row;
    }
}
