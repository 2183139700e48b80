using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Expressions;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's streaming (regular) join of two changelogs on an equi-join key: INNER, LEFT, RIGHT, FULL, SEMI and ANTI.
/// Both inputs are keyed by their key fields (<see cref="JoinRows.KeyEncoder"/>, see <see cref="Apply"/>); each side's
/// rows are kept in keyed state with their multiplicity, so either input may be updating (<c>+I</c>/<c>+U</c> add a
/// row, <c>-U</c>/<c>-D</c> retract one).
/// </summary>
/// <remarks>
/// <para>Output (<see cref="RegularJoinSpec.Output"/>): left fields then right fields; SEMI and ANTI emit left rows.
/// Only <c>+I</c> and <c>-D</c> rows are emitted: a new row emits <c>+I</c> of each joined pair, a retracted one
/// <c>-D</c> of each pair it made. An outer side's row without matches is emitted null-padded; when its first match
/// arrives the padded row is retracted (<c>-D</c>) and the joined rows inserted, and when its last match goes the
/// joined row is retracted and the padded row inserted again. SEMI emits a left row while it has at least one match
/// (inserted when the first match arrives, deleted when the last goes); ANTI the reverse. Every output row carries
/// the timestamp of the input record that caused it. The output is insert-only exactly for INNER and SEMI joins of
/// insert-only inputs (<see cref="RegularJoinSpec.OutputMode"/>).</para>
/// <para>A row with a null in a key field that is not null-safe matches nothing: it is not stored; an outer side's
/// such row is emitted padded at once (and its retraction retracts the padded row). A retraction of a row the side
/// does not hold (never inserted, or forgotten by the state TTL) emits nothing (Flink still retracts the pairs the row
/// would make now). A state TTL can still leave the output inconsistent, as in Flink.</para>
/// <para>State, per join key: map states <c>left-rows</c> and <c>right-rows</c>, from a row's identity
/// (<see cref="StoredRowCodec.ToKey"/>, version 1) to (count, associations): how many copies of the row the side
/// holds, and how many rows of the other side (with their multiplicities) match it, which outer and SEMI/ANTI sides
/// need to know when a row's first match arrives or its last goes. With <see cref="RegularJoinSpec.StateTtl"/> each
/// entry expires that long after its last write. State moves with its key groups on rescaling.</para>
/// <para>Cost per record: every stored row of the other side under the same key is tested (as in Flink), decoded
/// once while it stays in a <see cref="DecodedRowCache"/> (heap backend); the encoded key of the input row and the
/// output rows are allocated. Task thread only.</para>
/// </remarks>
internal sealed class RegularJoinOperator : KeyedTwoInputStreamOperator<string, Row, Row, Row>
{
    private readonly RegularJoinSpec _spec;
    private readonly int[] _leftKeys;
    private readonly int[] _rightKeys;
    private readonly bool[] _nullSafe;
    private readonly bool _leftOuter;
    private readonly bool _rightOuter;
    private readonly bool _semiAnti;
    private readonly Schema _output;
    private readonly Row _probe;
    private readonly StoredRowCodec _leftRows;
    private readonly StoredRowCodec _rightRows;
    private readonly DecodedRowCache _leftDecoded;
    private readonly DecodedRowCache _rightDecoded;
    private readonly List<Match> _matches = [];
    private IMapState<string, (int Count, int Associations)> _left = null!;
    private IMapState<string, (int Count, int Associations)> _right = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid (see <see cref="RegularJoinSpec.Validate"/>).</exception>
    public RegularJoinOperator(RegularJoinSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _leftKeys = [.. spec.LeftKeys];
        _rightKeys = [.. spec.RightKeys];
        _nullSafe = spec.NullSafeKeys is { } flags ? [.. flags] : new bool[_leftKeys.Length];
        _leftOuter = spec.Kind is JoinKind.Left or JoinKind.Full;
        _rightOuter = spec.Kind is JoinKind.Right or JoinKind.Full;
        _semiAnti = spec.Kind is JoinKind.Semi or JoinKind.Anti;
        _output = spec.Output;
        _probe = new Row(JoinRows.ConditionSchema(spec.Left, spec.Right));
        _leftRows = new StoredRowCodec(spec.Left);
        _rightRows = new StoredRowCodec(spec.Right);
        _leftDecoded = new DecodedRowCache(_leftRows);
        _rightDecoded = new DecodedRowCache(_rightRows);
    }

    /// <summary>
    /// Keys <paramref name="left"/> and <paramref name="right"/> by their join keys and joins them with this operator.
    /// Give the result a <c>Uid</c>: its state is checkpointed.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> left, DataStream<Row> right, RegularJoinSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return JoinRows.KeyBoth(left, spec.Left, spec.LeftKeys, right, spec.Right, spec.RightKeys)
            .Transform(name ?? $"Join({spec.Kind})", () => new RegularJoinOperator(spec));
    }

    /// <inheritdoc />
    public override void Open()
    {
        var ttl = _spec.StateTtl is { } t ? new StateTtlConfig(t) : null;
        _left = Context.State.GetMapState(new MapStateDescriptor<string, (int, int)>("left-rows") { Ttl = ttl });
        _right = Context.State.GetMapState(new MapStateDescriptor<string, (int, int)>("right-rows") { Ttl = ttl });
    }

    /// <inheritdoc />
    public override void ProcessElement1(Row value, long timestamp)
    {
        if (JoinRows.HasNullKey(value, _leftKeys, _nullSafe))
        {
            if (_leftOuter)
            {
                Emit(value, null, Accumulates(value) ? RowKind.Insert : RowKind.Delete, timestamp);
            }
            else if (_spec.Kind == JoinKind.Anti)
            {
                EmitLeft(value, Accumulates(value) ? RowKind.Insert : RowKind.Delete, timestamp);
            }
            return;
        }
        if (_semiAnti)
        {
            ProcessSemiAntiLeft(value, timestamp);
            return;
        }
        Process(value, isLeft: true, timestamp);
    }

    /// <inheritdoc />
    public override void ProcessElement2(Row value, long timestamp)
    {
        if (JoinRows.HasNullKey(value, _rightKeys, _nullSafe))
        {
            if (_rightOuter)
            {
                Emit(null, value, Accumulates(value) ? RowKind.Insert : RowKind.Delete, timestamp);
            }
            return;
        }
        if (_semiAnti)
        {
            ProcessSemiAntiRight(value, timestamp);
            return;
        }
        Process(value, isLeft: false, timestamp);
    }

    private void Process(Row input, bool isLeft, long timestamp)
    {
        var own = isLeft ? _left : _right;
        var other = isLeft ? _right : _left;
        if (!Accumulates(input) && !Retract(own, isLeft ? _leftRows : _rightRows, input))
        {
            return; // not held (never stored, or forgotten by the state TTL): nothing of it is undone
        }
        var inputOuter = isLeft ? _leftOuter : _rightOuter;
        var otherOuter = isLeft ? _rightOuter : _leftOuter;
        var matched = FindMatches(input, isLeft, other, isLeft ? _rightDecoded : _leftDecoded);
        if (Accumulates(input))
        {
            if (_matches.Count == 0)
            {
                if (inputOuter)
                {
                    EmitPair(input, null, isLeft, RowKind.Insert, timestamp);
                }
            }
            else
            {
                for (var m = 0; m < _matches.Count; m++)
                {
                    var match = _matches[m];
                    if (otherOuter)
                    {
                        if (match.Associations == 0)
                        {
                            EmitPair(null, match.Row, isLeft, RowKind.Delete, timestamp, match.Count);
                        }
                        other.Put(match.Key, (match.Count, match.Associations + 1));
                    }
                    EmitPair(input, match.Row, isLeft, RowKind.Insert, timestamp, match.Count);
                }
            }
            Add(own, isLeft ? _leftRows : _rightRows, input, matched);
        }
        else
        {
            if (_matches.Count == 0)
            {
                if (inputOuter)
                {
                    EmitPair(input, null, isLeft, RowKind.Delete, timestamp);
                }
            }
            else
            {
                for (var m = 0; m < _matches.Count; m++)
                {
                    var match = _matches[m];
                    EmitPair(input, match.Row, isLeft, RowKind.Delete, timestamp, match.Count);
                    if (otherOuter)
                    {
                        if (match.Associations == 1)
                        {
                            EmitPair(null, match.Row, isLeft, RowKind.Insert, timestamp, match.Count);
                        }
                        other.Put(match.Key, (match.Count, Math.Max(0, match.Associations - 1)));
                    }
                }
            }
        }
        _matches.Clear();
    }

    private void ProcessSemiAntiLeft(Row input, long timestamp)
    {
        var accumulate = Accumulates(input);
        if (!accumulate && !Retract(_left, _leftRows, input))
        {
            return;
        }
        var matched = FindMatches(input, isLeft: true, _right, _rightDecoded);
        _matches.Clear();
        if ((matched > 0) == (_spec.Kind == JoinKind.Semi))
        {
            EmitLeft(input, accumulate ? RowKind.Insert : RowKind.Delete, timestamp);
        }
        if (accumulate)
        {
            Add(_left, _leftRows, input, matched);
        }
    }

    private void ProcessSemiAntiRight(Row input, long timestamp)
    {
        if (!Accumulates(input) && !Retract(_right, _rightRows, input))
        {
            return;
        }
        FindMatches(input, isLeft: false, _left, _leftDecoded);
        var semi = _spec.Kind == JoinKind.Semi;
        if (Accumulates(input))
        {
            Add(_right, _rightRows, input, 0);
            for (var m = 0; m < _matches.Count; m++)
            {
                var match = _matches[m];
                if (match.Associations == 0)
                {
                    EmitLeft(match.Row, semi ? RowKind.Insert : RowKind.Delete, timestamp, match.Count);
                }
                _left.Put(match.Key, (match.Count, match.Associations + 1));
            }
        }
        else
        {
            for (var m = 0; m < _matches.Count; m++)
            {
                var match = _matches[m];
                if (match.Associations == 1)
                {
                    EmitLeft(match.Row, semi ? RowKind.Delete : RowKind.Insert, timestamp, match.Count);
                }
                _left.Put(match.Key, (match.Count, Math.Max(0, match.Associations - 1)));
            }
        }
        _matches.Clear();
    }

    // Fills _matches with the other side's rows under the current key that satisfy the condition; returns how many
    // rows they are with their multiplicities. The map is only read here: callers update it after.
    private int FindMatches(Row input, bool isLeft, IMapState<string, (int Count, int Associations)> other, DecodedRowCache otherRows)
    {
        _matches.Clear();
        var total = 0;
        var condition = _spec.Condition;
        foreach (var entry in other.Entries)
        {
            var row = otherRows.Get(entry.Key);
            if (condition is not null)
            {
                JoinRows.Fill(_probe, isLeft ? input : row, _spec.Left.Count, isLeft ? row : input);
                if (!condition(_probe, _spec.EvaluationContext))
                {
                    continue;
                }
            }
            _matches.Add(new Match(entry.Key, row, entry.Value.Count, entry.Value.Associations));
            total += entry.Value.Count;
        }
        return total;
    }

    private static void Add(IMapState<string, (int Count, int Associations)> state, StoredRowCodec rows, Row input, int associations)
    {
        var key = rows.ToKey(input);
        var count = state.TryGetValue(key, out var existing) ? existing.Count : 0;
        state.Put(key, (count + 1, associations));
    }

    // Removes one copy of the row; false when the side does not hold it.
    private static bool Retract(IMapState<string, (int Count, int Associations)> state, StoredRowCodec rows, Row input)
    {
        var key = rows.ToKey(input);
        if (!state.TryGetValue(key, out var existing))
        {
            return false;
        }
        if (existing.Count > 1)
        {
            state.Put(key, (existing.Count - 1, existing.Associations));
        }
        else
        {
            state.Remove(key);
        }
        return true;
    }

    private void EmitPair(Row? input, Row? other, bool inputIsLeft, RowKind kind, long timestamp, int copies = 1)
    {
        if (inputIsLeft)
        {
            Emit(input, other, kind, timestamp, copies);
        }
        else
        {
            Emit(other, input, kind, timestamp, copies);
        }
    }

    private void Emit(Row? left, Row? right, RowKind kind, long timestamp, int copies = 1)
    {
        for (var i = 0; i < copies; i++)
        {
            var row = new Row(_output) { Kind = kind };
            JoinRows.Fill(row, left, _spec.Left.Count, right);
            Output.Collect(row, timestamp);
        }
    }

    private void EmitLeft(Row left, RowKind kind, long timestamp, int copies = 1)
    {
        for (var i = 0; i < copies; i++)
        {
            var row = left.Copy();
            row.Kind = kind;
            Output.Collect(row, timestamp);
        }
    }

    private static bool Accumulates(Row row) => row.Kind is RowKind.Insert or RowKind.UpdateAfter;

    private readonly record struct Match(string Key, Row Row, int Count, int Associations);
}
