using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's event-time interval join on rows: joins insert-only inputs on an equi-join key where
/// <c>r.time + lower ≤ l.time ≤ r.time + upper</c> (<see cref="IntervalJoinSpec"/>), INNER, LEFT, RIGHT or FULL.
/// </summary>
/// <remarks>
/// <para>Output: <see cref="IntervalJoinSpec.Output"/> rows, all <c>+I</c> (insert-only). A joined row is emitted when
/// its second row arrives, with timestamp max(l.time, r.time). A row of an outer side that never matched is emitted
/// null-padded, with its own time, once the watermark shows that no row of the other side can match it any more: a
/// left row at <c>l.time − lower</c>, a right row at <c>r.time + upper</c>. The output watermark is the input
/// watermark minus <see cref="IntervalJoinSpec.OutputDelayMs"/>, so padded rows are never late. A row arriving after
/// the watermark passed that point joins what the other side still holds and is not kept (an unmatched outer one is
/// padded at once). Rows with a null key (not null-safe) or a null time match nothing.</para>
/// <para>State, per join key: map states <c>left-rows</c> and <c>right-rows</c> from a row time (ms) to the rows of
/// that time, as a flagged row list (<see cref="StoredRowCodec"/>, version 1; the flag says whether the row has
/// matched). Each stored row arms an event-time timer at the time it can no longer match, which emits the unmatched
/// outer rows and removes the entries. State and timers move with their key groups.</para>
/// <para>Cost per record: the other side's row lists whose time is in range are decoded and tested; the bucket of the
/// new row is rewritten. Task thread only.</para>
/// </remarks>
internal sealed class IntervalJoinOperator : KeyedTwoInputStreamOperator<string, Row, Row, Row>
{
    private readonly IntervalJoinSpec _spec;
    private readonly int[] _leftKeys;
    private readonly int[] _rightKeys;
    private readonly bool[] _nullSafe;
    private readonly bool _leftOuter;
    private readonly bool _rightOuter;
    private readonly DataTypeKind _leftTime;
    private readonly DataTypeKind _rightTime;
    private readonly Schema _output;
    private readonly Row _probe;
    private readonly StoredRowCodec _leftRows;
    private readonly StoredRowCodec _rightRows;
    private readonly List<Row> _rows = [];
    private readonly List<bool> _flags = [];
    private readonly List<long> _times = [];
    private readonly List<(long Time, byte[] Bytes)> _updates = [];
    private IMapState<long, byte[]> _left = null!;
    private IMapState<long, byte[]> _right = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid (see <see cref="IntervalJoinSpec.Validate"/>).</exception>
    public IntervalJoinOperator(IntervalJoinSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _leftKeys = [.. spec.LeftKeys];
        _rightKeys = [.. spec.RightKeys];
        _nullSafe = spec.NullSafeKeys is { } flags ? [.. flags] : new bool[_leftKeys.Length];
        _leftOuter = spec.Kind is JoinKind.Left or JoinKind.Full;
        _rightOuter = spec.Kind is JoinKind.Right or JoinKind.Full;
        _leftTime = spec.Left[spec.LeftTimeField].Type.Kind;
        _rightTime = spec.Right[spec.RightTimeField].Type.Kind;
        _output = spec.Output;
        _probe = new Row(JoinRows.ConditionSchema(spec.Left, spec.Right));
        _leftRows = new StoredRowCodec(spec.Left);
        _rightRows = new StoredRowCodec(spec.Right);
    }

    /// <summary>Keys both inputs by their join keys and joins them with this operator. Give the result a <c>Uid</c>.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> left, DataStream<Row> right, IntervalJoinSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return JoinRows.KeyBoth(left, spec.Left, spec.LeftKeys, right, spec.Right, spec.RightKeys)
            .Transform(name ?? $"IntervalJoin({spec.Kind}, [{spec.LowerBoundMs}, {spec.UpperBoundMs}] ms)", () => new IntervalJoinOperator(spec));
    }

    /// <inheritdoc />
    public override void Open()
    {
        _left = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("left-rows"));
        _right = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("right-rows"));
    }

    /// <inheritdoc />
    public override void ProcessElement1(Row value, long timestamp)
    {
        var time = JoinRows.TimeMillis(value, _spec.LeftTimeField, _leftTime);
        if (time == long.MinValue || JoinRows.HasNullKey(value, _leftKeys, _nullSafe))
        {
            if (_leftOuter)
            {
                Emit(value, null, time == long.MinValue ? timestamp : time);
            }
            return;
        }
        // Right rows that match: l.t - upper <= r.t <= l.t - lower.
        var matched = Probe(value, time, isLeft: true, _right, _rightRows, time - _spec.UpperBoundMs, time - _spec.LowerBoundMs, _rightOuter);
        Store(value, time, matched, expiry: time - _spec.LowerBoundMs, _left, _leftRows, _leftOuter, isLeft: true);
    }

    /// <inheritdoc />
    public override void ProcessElement2(Row value, long timestamp)
    {
        var time = JoinRows.TimeMillis(value, _spec.RightTimeField, _rightTime);
        if (time == long.MinValue || JoinRows.HasNullKey(value, _rightKeys, _nullSafe))
        {
            if (_rightOuter)
            {
                Emit(null, value, time == long.MinValue ? timestamp : time);
            }
            return;
        }
        // Left rows that match: r.t + lower <= l.t <= r.t + upper.
        var matched = Probe(value, time, isLeft: false, _left, _leftRows, time + _spec.LowerBoundMs, time + _spec.UpperBoundMs, _leftOuter);
        Store(value, time, matched, expiry: time + _spec.UpperBoundMs, _right, _rightRows, _rightOuter, isLeft: false);
    }

    /// <inheritdoc />
    public override void OnTimer(long time, TimeDomain domain)
    {
        // A left row of time t can no longer match once the watermark reaches t - lower; a right row at t + upper.
        Expire(_left, _leftRows, _leftOuter, isLeft: true, time, -_spec.LowerBoundMs);
        Expire(_right, _rightRows, _rightOuter, isLeft: false, time, _spec.UpperBoundMs);
    }

    /// <inheritdoc />
    public override void ProcessWatermark(long watermark)
    {
        var delay = _spec.OutputDelayMs;
        Output.EmitWatermark(watermark == long.MaxValue || watermark < long.MinValue + delay ? watermark : watermark - delay);
    }

    private bool Probe(Row input, long time, bool isLeft, IMapState<long, byte[]> other, StoredRowCodec otherRows, long from, long to, bool otherOuter)
    {
        var matched = false;
        _updates.Clear();
        foreach (var entry in other.Entries)
        {
            if (entry.Key < from || entry.Key > to)
            {
                continue;
            }
            _rows.Clear();
            _flags.Clear();
            otherRows.ReadFlaggedList(entry.Value, _rows, _flags);
            var changed = false;
            for (var i = 0; i < _rows.Count; i++)
            {
                var row = _rows[i];
                if (_spec.Condition is { } condition)
                {
                    JoinRows.Fill(_probe, isLeft ? input : row, _spec.Left.Count, isLeft ? row : input);
                    if (!condition(_probe, _spec.EvaluationContext))
                    {
                        continue;
                    }
                }
                matched = true;
                var outputTime = Math.Max(time, entry.Key);
                if (isLeft)
                {
                    Emit(input, row, outputTime);
                }
                else
                {
                    Emit(row, input, outputTime);
                }
                if (otherOuter && !_flags[i])
                {
                    _flags[i] = true;
                    changed = true;
                }
            }
            if (changed)
            {
                _updates.Add((entry.Key, otherRows.WriteFlaggedList(_rows, _flags)));
            }
        }
        for (var i = 0; i < _updates.Count; i++)
        {
            other.Put(_updates[i].Time, _updates[i].Bytes);
        }
        _updates.Clear();
        return matched;
    }

    private void Store(Row input, long time, bool matched, long expiry, IMapState<long, byte[]> own, StoredRowCodec rows, bool outer, bool isLeft)
    {
        var timers = Context.TimerService;
        if (expiry <= timers.CurrentWatermark)
        {
            // Late: no row of the other side can arrive to match it any more.
            if (outer && !matched)
            {
                Emit(isLeft ? input : null, isLeft ? null : input, time);
            }
            return;
        }
        _rows.Clear();
        _flags.Clear();
        if (own.TryGetValue(time, out var existing))
        {
            rows.ReadFlaggedList(existing, _rows, _flags);
        }
        else
        {
            timers.RegisterEventTimeTimer(expiry);
        }
        _rows.Add(input);
        _flags.Add(matched);
        own.Put(time, rows.WriteFlaggedList(_rows, _flags));
    }

    // Removes the rows whose time + offset <= timer (their expiry), emitting the unmatched ones of an outer side.
    private void Expire(IMapState<long, byte[]> state, StoredRowCodec rows, bool outer, bool isLeft, long timer, long offset)
    {
        _times.Clear();
        foreach (var entry in state.Entries)
        {
            if (entry.Key + offset <= timer)
            {
                _times.Add(entry.Key);
            }
        }
        _times.Sort();
        for (var t = 0; t < _times.Count; t++)
        {
            var time = _times[t];
            if (outer && state.TryGetValue(time, out var bytes))
            {
                _rows.Clear();
                _flags.Clear();
                rows.ReadFlaggedList(bytes, _rows, _flags);
                for (var i = 0; i < _rows.Count; i++)
                {
                    if (!_flags[i])
                    {
                        Emit(isLeft ? _rows[i] : null, isLeft ? null : _rows[i], time);
                    }
                }
            }
            state.Remove(time);
        }
    }

    private void Emit(Row? left, Row? right, long timestamp)
    {
        var row = new Row(_output);
        JoinRows.Fill(row, left, _spec.Left.Count, right);
        Output.Collect(row, timestamp);
    }
}
