using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's window Top-N: per partition key and window, keeps the rows that can still rank within
/// [<see cref="WindowRankSpec.RankStart"/>, <see cref="WindowRankSpec.RankEnd"/>] and emits the final ranking once,
/// when the watermark passes the window's end.
/// </summary>
/// <remarks>
/// <para>Output (<see cref="WindowRankSpec.Output"/>): insert-only; the ranked rows of each window in rank order (ties
/// in arrival order), with timestamp <c>window_end − 1</c>. A row whose window already fired goes to
/// <see cref="WindowRankSpec.LateRows"/>, or is dropped without it.</para>
/// <para>State, per partition key: map state <c>window-rows</c> from a window (start ms, end ms) to its rows in rank
/// order, cut after <see cref="WindowRankSpec.RankEnd"/> (a row list, <see cref="StoredRowCodec"/> version 1); an
/// event-time timer at <c>window_end − 1</c> fires the window and removes it. Task thread only.</para>
/// </remarks>
internal sealed class WindowRankOperator : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly WindowRankSpec _spec;
    private readonly RowSortComparer _order;
    private readonly StoredRowCodec _codec;
    private readonly Schema _output;
    private readonly DataTypeKind _startKind;
    private readonly DataTypeKind _endKind;
    private readonly List<Row> _rows = [];
    private readonly List<long> _ranks = [];
    private readonly List<(long Start, long End)> _firing = [];
    private IMapState<(long Start, long End), byte[]> _windows = null!;

    /// <summary>Creates one subtask's operator.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public WindowRankOperator(WindowRankSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        _order = new RowSortComparer(spec.Input, spec.SortKeys);
        _codec = new StoredRowCodec(spec.Input);
        _output = spec.Output;
        _startKind = spec.Input[spec.WindowStartField].Type.Kind;
        _endKind = spec.Input[spec.WindowEndField].Type.Kind;
    }

    /// <summary>Keys <paramref name="input"/> by the partition keys and ranks each window. Give the result a <c>Uid</c>.</summary>
    /// <exception cref="ArgumentException">The spec is invalid.</exception>
    public static DataStream<Row> Apply(DataStream<Row> input, WindowRankSpec spec, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var keyed = spec.PartitionKeys.Count == 0
            ? input.KeyBy(static _ => string.Empty)
            : input.KeyBy(JoinRows.KeyEncoder(spec.Input, spec.PartitionKeys).Encode);
        return keyed.Transform(name ?? $"WindowRank({spec.Function}, {spec.RankStart}..{spec.RankEnd})", () => new WindowRankOperator(spec));
    }

    /// <inheritdoc />
    public override void Open() => _windows = Context.State.GetMapState(new MapStateDescriptor<(long, long), byte[]>("window-rows"));

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        var window = (JoinRows.TimeMillis(value, _spec.WindowStartField, _startKind), JoinRows.TimeMillis(value, _spec.WindowEndField, _endKind));
        var timers = Context.TimerService;
        if (window.Item2 == long.MinValue || window.Item2 - 1 <= timers.CurrentWatermark)
        {
            if (_spec.LateRows is { } late)
            {
                Output.CollectSide(late, value, timestamp);
            }
            return;
        }
        _rows.Clear();
        if (_windows.TryGetValue(window, out var bytes))
        {
            _codec.ReadList(bytes, _rows);
        }
        else
        {
            timers.RegisterEventTimeTimer(window.Item2 - 1);
        }
        var position = SortedRows.UpperBound(_rows, value, _order);
        if (_spec.Function == RankFunction.RowNumber && position >= _spec.RankEnd)
        {
            return; // its row number would be past the last rank, and later rows only push it further
        }
        _rows.Insert(position, value);
        SortedRows.Ranks(_rows, _spec.Function, _order, _ranks);
        var keep = _rows.Count;
        while (keep > 0 && _ranks[keep - 1] > _spec.RankEnd)
        {
            keep--;
        }
        _rows.RemoveRange(keep, _rows.Count - keep);
        _windows.Put(window, _codec.WriteList(_rows));
    }

    /// <inheritdoc />
    public override void OnTimer(long time, TimeDomain domain)
    {
        _firing.Clear();
        foreach (var entry in _windows.Entries)
        {
            if (entry.Key.End == time + 1)
            {
                _firing.Add(entry.Key);
            }
        }
        for (var w = 0; w < _firing.Count; w++)
        {
            _rows.Clear();
            if (!_windows.TryGetValue(_firing[w], out var bytes))
            {
                continue;
            }
            _codec.ReadList(bytes, _rows);
            _windows.Remove(_firing[w]);
            SortedRows.Ranks(_rows, _spec.Function, _order, _ranks);
            for (var i = 0; i < _rows.Count; i++)
            {
                if (_ranks[i] >= _spec.RankStart && _ranks[i] <= _spec.RankEnd)
                {
                    Emit(_rows[i], _ranks[i], time);
                }
            }
        }
    }

    private void Emit(Row row, long rank, long timestamp)
    {
        if (!_spec.OutputRankNumber)
        {
            Output.Collect(row, timestamp);
            return;
        }
        var output = new Row(_output);
        for (var i = 0; i < row.FieldCount; i++)
        {
            row.CopyFieldTo(i, output, i);
        }
        output.SetInt64(row.FieldCount, rank);
        Output.Collect(output, timestamp);
    }
}
