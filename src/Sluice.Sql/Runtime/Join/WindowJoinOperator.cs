using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's window join: joins the rows of two window TVF outputs that share the equi-join key and the window
/// (<see cref="WindowJoinSpec"/>), all join kinds, and emits each window's result once, when the watermark passes the
/// window's end.
/// </summary>
/// <remarks>
/// <para>Output (<see cref="WindowJoinSpec.Output"/>): insert-only. When a window fires, every pair of its rows with
/// equal keys (not null, unless null-safe) that satisfies the condition is emitted, then — for outer kinds — each row
/// of an outer side without a match, null-padded; SEMI emits each left row with a match, ANTI each without. All rows of
/// a window carry the timestamp <c>window_end − 1</c> ms (the window's rowtime). A row whose window already fired
/// (<c>window_end − 1 ≤ watermark</c>) goes to <see cref="WindowJoinSpec.LateLeftRows"/> /
/// <see cref="WindowJoinSpec.LateRightRows"/>, or is dropped without them (as Flink).</para>
/// <para>State, per join key: map states <c>left-windows</c> and <c>right-windows</c> from a window
/// (start ms, end ms) to its rows, a row list (<see cref="StoredRowCodec"/>, version 1); an event-time timer at
/// <c>window_end − 1</c> per window fires it and removes its entries. State and timers move with their key groups.</para>
/// <para>Cost per record: the window's row list is decoded and rewritten; per window, each pair is tested once. Task
/// thread only.</para>
/// </remarks>
internal sealed class WindowJoinOperator : KeyedTwoInputStreamOperator<string, Row, Row, Row>
{
    private readonly WindowJoinSpec _spec;
    private readonly int[] _leftKeys;
    private readonly int[] _rightKeys;
    private readonly bool[] _nullSafe;
    private readonly DataTypeKind[] _timeKinds;
    private readonly Schema _output;
    private readonly Row _probe;
    private readonly StoredRowCodec _leftRows;
    private readonly StoredRowCodec _rightRows;
    private readonly List<Row> _rows = [];
    private readonly List<Row> _lefts = [];
    private readonly List<Row> _rights = [];
    private readonly List<bool> _rightMatched = [];
    private readonly List<(long Start, long End)> _firing = [];
    private IMapState<(long Start, long End), byte[]> _left = null!;
    private IMapState<(long Start, long End), byte[]> _right = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid (see <see cref="WindowJoinSpec.Validate"/>).</exception>
    public WindowJoinOperator(WindowJoinSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _leftKeys = [.. spec.LeftKeys];
        _rightKeys = [.. spec.RightKeys];
        _nullSafe = spec.NullSafeKeys is { } flags ? [.. flags] : new bool[_leftKeys.Length];
        _timeKinds =
        [
            spec.Left[spec.LeftWindowStart].Type.Kind, spec.Left[spec.LeftWindowEnd].Type.Kind,
            spec.Right[spec.RightWindowStart].Type.Kind, spec.Right[spec.RightWindowEnd].Type.Kind,
        ];
        _output = spec.Output;
        _probe = new Row(JoinRows.ConditionSchema(spec.Left, spec.Right));
        _leftRows = new StoredRowCodec(spec.Left);
        _rightRows = new StoredRowCodec(spec.Right);
    }

    /// <summary>Keys both inputs by their join keys and joins them with this operator. Give the result a <c>Uid</c>.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> left, DataStream<Row> right, WindowJoinSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return JoinRows.KeyBoth(left, spec.Left, spec.LeftKeys, right, spec.Right, spec.RightKeys)
            .Transform(name ?? $"WindowJoin({spec.Kind})", () => new WindowJoinOperator(spec));
    }

    /// <inheritdoc />
    public override void Open()
    {
        _left = Context.State.GetMapState(new MapStateDescriptor<(long, long), byte[]>("left-windows"));
        _right = Context.State.GetMapState(new MapStateDescriptor<(long, long), byte[]>("right-windows"));
    }

    /// <inheritdoc />
    public override void ProcessElement1(Row value, long timestamp) =>
        Add(value, timestamp, _left, _leftRows, _spec.LeftWindowStart, _spec.LeftWindowEnd, _timeKinds[0], _timeKinds[1], _spec.LateLeftRows);

    /// <inheritdoc />
    public override void ProcessElement2(Row value, long timestamp) =>
        Add(value, timestamp, _right, _rightRows, _spec.RightWindowStart, _spec.RightWindowEnd, _timeKinds[2], _timeKinds[3], _spec.LateRightRows);

    /// <inheritdoc />
    public override void OnTimer(long time, TimeDomain domain)
    {
        var end = time + 1;
        _firing.Clear();
        Collect(_left, end);
        Collect(_right, end);
        for (var w = 0; w < _firing.Count; w++)
        {
            var window = _firing[w];
            Read(_left, _leftRows, window, _lefts);
            Read(_right, _rightRows, window, _rights);
            Fire(time);
        }
    }

    private void Add(Row value, long timestamp, IMapState<(long Start, long End), byte[]> state, StoredRowCodec rows, int startField, int endField, DataTypeKind startKind, DataTypeKind endKind, OutputTag<Row>? late)
    {
        var window = (JoinRows.TimeMillis(value, startField, startKind), JoinRows.TimeMillis(value, endField, endKind));
        var timers = Context.TimerService;
        if (window.Item2 == long.MinValue || window.Item2 - 1 <= timers.CurrentWatermark)
        {
            if (late is not null)
            {
                Output.CollectSide(late, value, timestamp);
            }
            return;
        }
        _rows.Clear();
        if (state.TryGetValue(window, out var bytes))
        {
            rows.ReadList(bytes, _rows);
        }
        else
        {
            timers.RegisterEventTimeTimer(window.Item2 - 1);
        }
        _rows.Add(value);
        state.Put(window, rows.WriteList(_rows));
    }

    private void Collect(IMapState<(long Start, long End), byte[]> state, long end)
    {
        foreach (var entry in state.Entries)
        {
            if (entry.Key.End == end && !_firing.Contains(entry.Key))
            {
                _firing.Add(entry.Key);
            }
        }
    }

    private static void Read(IMapState<(long Start, long End), byte[]> state, StoredRowCodec codec, (long, long) window, List<Row> rows)
    {
        rows.Clear();
        if (state.TryGetValue(window, out var bytes))
        {
            codec.ReadList(bytes, rows);
            state.Remove(window);
        }
    }

    private void Fire(long timestamp)
    {
        var semiAnti = _spec.Kind is JoinKind.Semi or JoinKind.Anti;
        var leftOuter = _spec.Kind is JoinKind.Left or JoinKind.Full;
        var rightOuter = _spec.Kind is JoinKind.Right or JoinKind.Full;
        _rightMatched.Clear();
        for (var j = 0; j < _rights.Count; j++)
        {
            _rightMatched.Add(false);
        }
        for (var i = 0; i < _lefts.Count; i++)
        {
            var left = _lefts[i];
            var leftNullKey = JoinRows.HasNullKey(left, _leftKeys, _nullSafe);
            var matched = false;
            for (var j = 0; j < _rights.Count && !(semiAnti && matched); j++)
            {
                var right = _rights[j];
                if (leftNullKey || JoinRows.HasNullKey(right, _rightKeys, _nullSafe))
                {
                    continue;
                }
                if (_spec.Condition is { } condition)
                {
                    JoinRows.Fill(_probe, left, _spec.Left.Count, right);
                    if (!condition(_probe, _spec.EvaluationContext))
                    {
                        continue;
                    }
                }
                matched = true;
                _rightMatched[j] = true;
                if (!semiAnti)
                {
                    Emit(left, right, timestamp);
                }
            }
            if (semiAnti)
            {
                if (matched == (_spec.Kind == JoinKind.Semi))
                {
                    Output.Collect(left, timestamp);
                }
            }
            else if (leftOuter && !matched)
            {
                Emit(left, null, timestamp);
            }
        }
        if (rightOuter)
        {
            for (var j = 0; j < _rights.Count; j++)
            {
                if (!_rightMatched[j])
                {
                    Emit(null, _rights[j], timestamp);
                }
            }
        }
    }

    private void Emit(Row? left, Row? right, long timestamp)
    {
        var row = new Row(_output);
        JoinRows.Fill(row, left, _spec.Left.Count, right);
        Output.Collect(row, timestamp);
    }
}
