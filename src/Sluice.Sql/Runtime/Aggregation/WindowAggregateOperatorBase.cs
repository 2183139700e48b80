using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What the window aggregation operators share: the window spec, the aggregator and its accumulator rows, reading a
/// row's time (its time attribute field, or the processing-time clock), timers in the spec's time domain, dropping
/// late rows (counted on <see cref="SluiceMetrics.DroppedRecords"/> with reason <c>late</c> and in
/// <see cref="LateRowsDropped"/>) and building the insert-only output rows: group keys, aggregates,
/// <c>window_start</c>, <c>window_end</c>, <c>window_time</c> (TIMESTAMP(3), <c>window_time = window_end - 1 ms</c>),
/// emitted with timestamp <c>window_end - 1</c>. Task thread only.
/// </summary>
/// <remarks>
/// End of input: a processing-time window that has not fired when bounded input ends fires then, as the DataStream
/// runtime's processing-time windows do at the final watermark. Each key with a processing-time window holds one
/// event-time timer at <see cref="EventTime.MaxWatermark"/>; when it fires (<see cref="IsEndOfInput"/>), the derived
/// operator emits every window the key still holds, in the order of their ends.
/// </remarks>
internal abstract class WindowAggregateOperatorBase : KeyedOneInputStreamOperator<string, Row, Row>
{
    private readonly Schema _input;
    private readonly DataTypeKind _timeKind;
    private KeyValuePair<string, object?>[] _lateTags = [];
    private KeyValuePair<string, object?>[] _nullTimeTags = [];

    /// <summary>Configures the aggregation.</summary>
    /// <exception cref="SqlException">The spec is invalid, its time field is not a TIMESTAMP or TIMESTAMP_LTZ field, or a call does not fit.</exception>
    private protected WindowAggregateOperatorBase(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, WindowSpec window, bool inputRetracts, IReadOnlyList<Field> extraFields)
    {
        ArgumentNullException.ThrowIfNull(input);
        WindowAssignment.Validate(window);
        if (!window.IsProcessingTime)
        {
            if (window.TimeField < 0 || window.TimeField >= input.Count)
            {
                throw new SqlException($"The time attribute of window {window} is out of range: the input has {input.Count} fields.");
            }
            if (input[window.TimeField].Type.Kind is not (DataTypeKind.Timestamp or DataTypeKind.TimestampLtz))
            {
                throw new SqlException($"The time attribute of window {window} must be a TIMESTAMP or TIMESTAMP_LTZ field, not '{input[window.TimeField].Name}' of type {input[window.TimeField].Type}.");
            }
            _timeKind = input[window.TimeField].Type.Kind;
        }
        _input = input;
        Window = window;
        Aggregator = new RowAggregator(input, groupFields, calls, inputRetracts, extraFields);
        Serializer = new AccumulatorSerializer(Aggregator.AccumulatorSchema);
        Accumulator = new Row(Aggregator.AccumulatorSchema);
        OutputSchema = OutputSchemaOf(input, groupFields, calls);
    }

    /// <summary>The output schema of a window aggregation: group keys, aggregates, <c>window_start</c>, <c>window_end</c>, <c>window_time</c>.</summary>
    public static Schema OutputSchemaOf(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls) =>
        RowAggregator.OutputSchema(input, groupFields, calls, [
            new Field("window_start", DataType.Timestamp(3).NotNull()),
            new Field("window_end", DataType.Timestamp(3).NotNull()),
            new Field("window_time", DataType.Timestamp(3).NotNull()),
        ]);

    /// <summary>The output rows' schema.</summary>
    public Schema OutputSchema { get; }

    /// <summary>Rows dropped because every window they belong to had fired (event time only), on this subtask.</summary>
    public long LateRowsDropped { get; private set; }

    /// <summary>The window spec.</summary>
    private protected WindowSpec Window { get; }

    /// <summary>The calls.</summary>
    private protected RowAggregator Aggregator { get; }

    /// <summary>The accumulator format.</summary>
    private protected AccumulatorSerializer Serializer { get; }

    /// <summary>The reused accumulator row.</summary>
    private protected Row Accumulator { get; }

    /// <inheritdoc />
    public override void Open()
    {
        _lateTags = Tags("late");
        _nullTimeTags = Tags("null-rowtime");
    }

    private KeyValuePair<string, object?>[] Tags(string reason) =>
        [new("job", Context.JobName), new("job.id", Context.JobId.ToString()), new("operator", Context.OperatorName), new("reason", reason)];

    /// <summary>The row's time in ms (its time attribute, or the processing time of the task's step); false for a NULL rowtime (the row is dropped and counted).</summary>
    private protected bool TryGetTime(Row row, out long time)
    {
        if (Window.IsProcessingTime)
        {
            time = Context.TimerService.CurrentProcessingTime; // the step's time: one clock reading per step
            return true;
        }
        if (row.IsNull(Window.TimeField))
        {
            SluiceMetrics.DroppedRecords.Add(1, _nullTimeTags);
            time = 0;
            return false;
        }
        time = FieldValues.ReadEpochMillis(row, Window.TimeField, _timeKind);
        return true;
    }

    /// <summary>Whether a window ending at <paramref name="end"/> has fired already (its rowtime is at or before the watermark).</summary>
    private protected bool HasFired(long end) => !Window.IsProcessingTime && end - 1 <= Context.TimerService.CurrentWatermark;

    /// <summary>Counts a dropped late row.</summary>
    private protected void DropLate()
    {
        LateRowsDropped++;
        SluiceMetrics.DroppedRecords.Add(1, _lateTags);
    }

    /// <summary>Arms the timer that fires a window ending at <paramref name="end"/> (at its rowtime).</summary>
    private protected void RegisterWindowTimer(long end)
    {
        if (Window.IsProcessingTime)
        {
            Context.TimerService.RegisterProcessingTimeTimer(end - 1);
            Context.TimerService.RegisterEventTimeTimer(EventTime.MaxWatermark);
        }
        else
        {
            Context.TimerService.RegisterEventTimeTimer(end - 1);
        }
    }

    /// <summary>
    /// Whether a timer is the end-of-input timer of a processing-time window (the final watermark reached it): the
    /// derived operator then fires every window the current key holds.
    /// </summary>
    private bool IsEndOfInput(long time, TimeDomain domain) =>
        Window.IsProcessingTime && domain == TimeDomain.EventTime && time == EventTime.MaxWatermark;

    /// <summary>
    /// Fires the window whose timer this is (ending one ms after <paramref name="time"/>); at the end-of-input timer
    /// (<see cref="IsEndOfInput"/>) fires every window the current key holds instead, earliest end first.
    /// </summary>
    public sealed override void OnTimer(long time, TimeDomain domain)
    {
        if (!IsEndOfInput(time, domain))
        {
            Fire(time + 1);
            return;
        }
        var ends = new List<long>();
        AddWindowEnds(ends);
        ends.Sort();
        foreach (var end in ends)
        {
            Fire(end);
            DeleteWindowTimer(end);
        }
    }

    /// <summary>Emits the current key's window ending at <paramref name="end"/> (if it holds one) and drops its state.</summary>
    private protected abstract void Fire(long end);

    /// <summary>Adds to <paramref name="ends"/> the end of every window the current key holds.</summary>
    private protected abstract void AddWindowEnds(List<long> ends);

    /// <summary>Removes the timer of a window ending at <paramref name="end"/>.</summary>
    private protected void DeleteWindowTimer(long end)
    {
        if (Window.IsProcessingTime)
        {
            Context.TimerService.DeleteProcessingTimeTimer(end - 1);
        }
        else
        {
            Context.TimerService.DeleteEventTimeTimer(end - 1);
        }
    }

    /// <summary>Emits the result of <paramref name="accumulator"/> (namespace <paramref name="ns"/>) for window [<paramref name="start"/>, <paramref name="end"/>).</summary>
    private protected void Emit(Row accumulator, long ns, long start, long end)
    {
        var output = new Row(OutputSchema);
        Aggregator.WriteOutput(accumulator, ns, output);
        var first = OutputSchema.Count - 3;
        output.SetTimestamp(first, FieldValues.ToTimestamp(start));
        output.SetTimestamp(first + 1, FieldValues.ToTimestamp(end));
        output.SetTimestamp(first + 2, FieldValues.ToTimestamp(end - 1));
        Output.Collect(output, end - 1);
    }

    /// <summary>The key selector of the stream this operator expects (see <see cref="GroupAggregateOperator.KeySelector"/>).</summary>
    public static Func<Row, string> KeySelector(Schema input, IReadOnlyList<int> groupFields) => GroupAggregateOperator.KeySelector(input, groupFields);

    /// <summary>The input schema.</summary>
    private protected Schema Input => _input;
}
