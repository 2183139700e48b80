using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's event-time <c>OverAggregate</c>: <c>agg(…) OVER (PARTITION BY keys ORDER BY rowtime ROWS|RANGE BETWEEN
/// n PRECEDING|UNBOUNDED PRECEDING AND CURRENT ROW)</c> over an insert-only keyed stream. Rows are buffered until the
/// watermark passes their time, then emitted in time order (arrival order within a time) as insert-only rows: the
/// input row with the calls' values appended.
/// </summary>
/// <remarks>
/// <para>Frames: <c>ROWS</c> — the row and the <c>n</c> rows before it (or all rows before it); <c>RANGE</c> — every
/// row whose time is within <c>n</c> ms before the row's time (or any time before), including the row's peers (rows of
/// the same time), which therefore share one result. A row whose time is at or before the watermark on arrival is
/// late: dropped and counted (<see cref="LateRowsDropped"/>, <see cref="SluiceMetrics.DroppedRecords"/> with reason
/// <c>late</c>), as Flink drops it.</para>
/// <para>State per partition key: <c>pending</c> (map state time → the rows of that time not yet emitted,
/// <see cref="RowListSerializer"/>), <c>accumulator</c> (<see cref="AccumulatorSerializer"/>), and for bounded frames
/// <c>frame</c> (the rows inside the frame, oldest first, retracted from the accumulator as they leave it) with the
/// calls' map states. One event-time timer per buffered time; a bounded RANGE frame also arms a timer when its last
/// row leaves the range, to free the state of an idle key.</para>
/// <para>The stream must be keyed by <see cref="GroupAggregateOperator.KeySelector"/> of the partition fields. Task
/// thread only. Per row it allocates the output row and the re-written buffers.</para>
/// </remarks>
internal sealed class OverAggregateOperator : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly Schema _input;
    private readonly OverFrameSpec _frame;
    private readonly DataTypeKind _timeKind;
    private readonly RowAggregator _aggregator;
    private readonly AccumulatorSerializer _accumulators;
    private readonly RowListSerializer _rows;
    private readonly Row _accumulator;
    private readonly List<Row> _pendingRows = [];
    private readonly List<Row> _frameRows = [];
    private IMapState<long, byte[]> _pending = null!;
    private IValueState<byte[]> _accumulatorState = null!;
    private IValueState<byte[]>? _frameState;
    private KeyValuePair<string, object?>[] _lateTags = [];

    /// <summary>Configures the aggregation.</summary>
    /// <param name="input">The input rows' schema (insert-only rows).</param>
    /// <param name="calls">The aggregate calls, whose values are appended to each row.</param>
    /// <param name="frame">The frame; event time only.</param>
    /// <exception cref="SqlException">A processing-time frame, a time field that is not a timestamp, a negative bound, or a call that does not fit.</exception>
    public OverAggregateOperator(Schema input, IReadOnlyList<AggregateCall> calls, OverFrameSpec frame)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.IsProcessingTime)
        {
            throw new SqlException($"OVER aggregation ordered by a processing-time attribute ({frame}) is not supported yet; order by an event-time attribute.");
        }
        if (frame.TimeField < 0 || frame.TimeField >= input.Count || input[frame.TimeField].Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
        {
            throw new SqlException($"The ORDER BY of OVER aggregation {frame} must be a TIMESTAMP or TIMESTAMP_LTZ time attribute of the input.");
        }
        if (frame.Preceding < OverFrameSpec.Unbounded)
        {
            throw new SqlException($"The PRECEDING bound of OVER aggregation {frame} must not be negative.");
        }
        _input = input;
        _frame = frame;
        _timeKind = input[frame.TimeField].Type.Kind;
        _aggregator = new RowAggregator(input, [], calls, retracts: IsBounded);
        _accumulators = new AccumulatorSerializer(_aggregator.AccumulatorSchema);
        _rows = new RowListSerializer(input);
        _accumulator = new Row(_aggregator.AccumulatorSchema);
        OutputSchema = RowAggregator.OutputSchema(input, [.. Enumerable.Range(0, input.Count)], calls);
    }

    /// <summary>The output rows' schema: the input fields, then one field per call.</summary>
    public Schema OutputSchema { get; }

    /// <summary>Rows dropped on this subtask because their time was at or before the watermark when they arrived.</summary>
    public long LateRowsDropped { get; private set; }

    private bool IsBounded => _frame.Preceding != OverFrameSpec.Unbounded;

    /// <inheritdoc />
    public override void Open()
    {
        _pending = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("pending"));
        _accumulatorState = Context.State.GetState(new ValueStateDescriptor<byte[]>("accumulator"));
        if (IsBounded)
        {
            _frameState = Context.State.GetState(new ValueStateDescriptor<byte[]>("frame"));
        }
        _aggregator.Open(Context.State, ttl: null, merging: false);
        _lateTags = [new("job", Context.JobName), new("job.id", Context.JobId.ToString()), new("operator", Context.OperatorName), new("reason", "late")];
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        if (value.IsNull(_frame.TimeField))
        {
            return;
        }
        var time = FieldValues.ReadEpochMillis(value, _frame.TimeField, _timeKind);
        if (time <= Context.TimerService.CurrentWatermark)
        {
            LateRowsDropped++;
            SluiceMetrics.DroppedRecords.Add(1, _lateTags);
            return;
        }
        _pendingRows.Clear();
        if (_pending.TryGetValue(time, out var bytes))
        {
            _rows.Deserialize(bytes, _pendingRows);
        }
        else
        {
            Context.TimerService.RegisterEventTimeTimer(time);
        }
        _pendingRows.Add(value);
        _pending.Put(time, _rows.Serialize(_pendingRows));
    }

    /// <inheritdoc />
    public override void OnTimer(long time, TimeDomain domain)
    {
        _pendingRows.Clear();
        if (_pending.TryGetValue(time, out var bytes))
        {
            _rows.Deserialize(bytes, _pendingRows);
            _pending.Remove(time);
        }
        var accumulator = _accumulator;
        if (_accumulatorState.TryGet(out var stored))
        {
            _accumulators.Deserialize(stored, accumulator);
        }
        else if (_pendingRows.Count == 0)
        {
            return; // a cleanup timer of a key whose state is gone
        }
        else
        {
            _aggregator.Initialize(accumulator, _pendingRows[0]);
        }
        _frameRows.Clear();
        if (_frameState is not null && _frameState.TryGet(out var frameBytes))
        {
            _rows.Deserialize(frameBytes, _frameRows);
        }
        if (!IsBounded)
        {
            EmitUnbounded(accumulator, time);
        }
        else if (_frame.IsRows)
        {
            EmitRows(accumulator, time);
        }
        else
        {
            EmitRange(accumulator, time);
        }
        if (_aggregator.RowCount(accumulator) <= 0)
        {
            _accumulatorState.Clear();
            _frameState?.Clear();
            _aggregator.ClearNamespace(0);
            return;
        }
        _accumulatorState.Update(_accumulators.Serialize(accumulator));
        _frameState?.Update(_rows.Serialize(_frameRows));
    }

    private void EmitUnbounded(Row accumulator, long time)
    {
        if (_frame.IsRows)
        {
            foreach (var row in _pendingRows)
            {
                _aggregator.Accumulate(accumulator, row, 0);
                Emit(row, accumulator, time);
            }
            return;
        }
        foreach (var row in _pendingRows)
        {
            _aggregator.Accumulate(accumulator, row, 0);
        }
        foreach (var row in _pendingRows)
        {
            Emit(row, accumulator, time);
        }
    }

    // ROWS BETWEEN n PRECEDING: the frame holds at most n + 1 rows; the oldest leaves as each new row enters.
    private void EmitRows(Row accumulator, long time)
    {
        foreach (var row in _pendingRows)
        {
            _aggregator.Accumulate(accumulator, row, 0);
            _frameRows.Add(row);
            if (_frameRows.Count > _frame.Preceding + 1)
            {
                _aggregator.Retract(accumulator, _frameRows[0], 0);
                _frameRows.RemoveAt(0);
            }
            Emit(row, accumulator, time);
        }
    }

    // RANGE BETWEEN n PRECEDING: rows older than time - n leave; the rows of this time (peers) share one result.
    private void EmitRange(Row accumulator, long time)
    {
        var removed = 0;
        while (removed < _frameRows.Count && FieldValues.ReadEpochMillis(_frameRows[removed], _frame.TimeField, _timeKind) < time - _frame.Preceding)
        {
            _aggregator.Retract(accumulator, _frameRows[removed], 0);
            removed++;
        }
        _frameRows.RemoveRange(0, removed);
        foreach (var row in _pendingRows)
        {
            _aggregator.Accumulate(accumulator, row, 0);
            _frameRows.Add(row);
        }
        foreach (var row in _pendingRows)
        {
            Emit(row, accumulator, time);
        }
        if (_pendingRows.Count > 0)
        {
            // When no later row comes, this timer retracts these rows once they leave the range, freeing the key's state.
            Context.TimerService.RegisterEventTimeTimer(time + _frame.Preceding + 1);
        }
    }

    private void Emit(Row row, Row accumulator, long time)
    {
        var output = new Row(OutputSchema);
        for (var i = 0; i < _input.Count; i++)
        {
            row.CopyFieldTo(i, output, i);
        }
        _aggregator.WriteResults(accumulator, 0, output, _input.Count);
        Output.Collect(output, time);
    }
}
