using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Windows;

/// <summary>
/// What every window operator shares: key extraction, the window function, emitting results with the window's
/// max timestamp, the late-record policy (side output when configured, otherwise counted as dropped — never
/// silently lost), and the operator's time. State and timers live in the keyed state backend and the timer services
/// of <see cref="KeyedStreamOperator{TKey}"/>; the only per-operator bookkeeping is the time windows fired up to (per
/// key group while a restore left some ahead, see below), written after the keyed header (see <see cref="WriteTrailer"/>).
/// </summary>
/// <remarks>
/// After a restore at another parallelism, key groups may come from old subtasks whose times differ: windows of a
/// key group fired up to its own old subtask's time (their timers are gone), so records of that key group are judged
/// late or re-firing against that time until the operator's time passes it (<see cref="TimeOfCurrentKey"/>). Until
/// then a checkpoint keeps those per-key-group times (trailer version 2), so that a further restore, at any
/// parallelism, still judges each key group against its own time.
/// </remarks>
internal abstract class WindowOperatorBase<TKey, TIn, TAcc, TOut> : KeyedStreamOperator<TKey>, IInput<TIn>, IRecordAtATimeInput where TKey : notnull
{
    /// <summary>The name of every window operator's one timer service.</summary>
    protected const string TimerServiceName = "window-timers";

    // The trailer (see WriteTrailer): version 1 holds one time for the owned key-group range, version 2 a time per key group.
    private const byte TrailerOneTime = 1;
    private const byte TrailerPerGroupTimes = 2;
    private readonly OutputTag<TIn>? _lateTag;
    private KeyValuePair<string, object?>[] _droppedLateTags = [];

    // Per owned key group (index = group − KeyGroups.Start), the time it fired up to before a restore that merged
    // old subtasks of different times; null when none is ahead of _time.
    private long[]? _groupTimes;
    private long _groupTimesMax;

    protected WindowOperatorBase(KeySpec<TIn, TKey> key, WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
        : base(key.Hasher)
    {
        KeySelector = key.Selector;
        Function = function;
        _lateTag = lateTag;
        Output = output;
        Collector = new TimestampedCollector<TOut>(output);
        Downstream = output;
    }

    protected Func<TIn, TKey> KeySelector { get; }

    protected IStateSerializer<TKey> KeySerializer { get; } = StateSerializers.For<TKey>();

    protected IStateSerializer<TAcc> AccumulatorSerializer { get; } = StateSerializers.For<TAcc>();

    protected WindowFunction<TKey, TIn, TAcc, TOut> Function { get; }

    protected Output<TOut> Output { get; }

    protected TimestampedCollector<TOut> Collector { get; }

    /// <summary>The time windows fired up to: the watermark (event time) or the clock at the last firing (processing time).</summary>
    protected long Time { get; set; } = EventTime.MinWatermark;

    /// <summary>Records routed to the late side output or dropped as late.</summary>
    public override long LateRecordCount => _late;

    private long _late;

    public override void Open()
    {
        _droppedLateTags = Context.DroppedRecordTags("late");
        base.Open();
    }

    public abstract void ProcessElement(TIn value, long timestamp);

    /// <summary>Processes a batch in order, one <see cref="ProcessElement"/> per record.</summary>
    public void ProcessBatch(ReadOnlySpan<TIn> values, ReadOnlySpan<long> timestamps)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ProcessElement(values[i], timestamps[i]);
        }
    }

    /// <summary>The time the current key's windows fired up to (its key group's, when a restore left it ahead).</summary>
    protected long TimeOfCurrentKey()
    {
        if (_groupTimes is null)
        {
            return Time;
        }
        if (Time >= _groupTimesMax)
        {
            _groupTimes = null;
            return Time;
        }
        return Math.Max(Time, _groupTimes[Backend.CurrentKeyGroup - Backend.KeyGroups.Start]);
    }

    /// <summary>Advances <see cref="Time"/> (never backwards).</summary>
    protected void AdvanceTime(long time) => Time = Math.Max(Time, time);

    // ---- snapshot bookkeeping: the time, and the key groups it applies to ----

    /// <summary>
    /// Writes the time the owned key groups' windows fired up to. Version 1: <c>byte 1 · time (zig-zag varint) ·
    /// first key group · key-group count (varints)</c>, one time for the whole owned range. Version 2, while key
    /// groups restored ahead of <see cref="Time"/> remain: <c>byte 2 · run count (varint) · (time · first key group ·
    /// key-group count)*</c>, runs in key-group order covering the owned range, consecutive key groups with equal times
    /// in one run; the lowest run time is <see cref="Time"/>.
    /// </summary>
    /// <remarks>
    /// Version 1 is still written when every key group is at <see cref="Time"/> (every checkpoint but those taken
    /// after a restore that merged old subtasks of different times, before the time caught up). One run of version 2
    /// would say the same, but version 1 keeps those checkpoints byte for byte as before, so that releases reading
    /// only version 1 (a rollback) still restore them.
    /// </remarks>
    protected override void WriteTrailer(StateWriter operatorState)
    {
        var range = Backend.KeyGroups;
        if (_groupTimes is null || Time >= _groupTimesMax)
        {
            operatorState.WriteByte(TrailerOneTime);
            WriteRun(operatorState, Time, range.Start, range.Count);
            return;
        }
        operatorState.WriteByte(TrailerPerGroupTimes);
        var runs = 1;
        for (var i = 1; i < _groupTimes.Length; i++)
        {
            if (GroupTime(i) != GroupTime(i - 1))
            {
                runs++;
            }
        }
        operatorState.WriteVarInt32((uint)runs);
        var first = 0;
        for (var i = 1; i <= _groupTimes.Length; i++)
        {
            if (i == _groupTimes.Length || GroupTime(i) != GroupTime(first))
            {
                WriteRun(operatorState, GroupTime(first), range.Start + first, i - first);
                first = i;
            }
        }

        static void WriteRun(StateWriter writer, long time, int start, int count)
        {
            writer.WriteZigZagInt64(time);
            writer.WriteVarInt32((uint)start);
            writer.WriteVarInt32((uint)count);
        }
    }

    /// <summary>The time of the owned key group at <paramref name="index"/> (from the range's start) while <see cref="_groupTimes"/> is set.</summary>
    private long GroupTime(int index) => Math.Max(Time, _groupTimes![index]);

    protected override KeyedStateRestore? ReadRestore(RestoreContext restore)
    {
        if (restore.OperatorStates.Count == 0)
        {
            return null;
        }
        if (restore.OperatorStates[0].Length > 0 && restore.OperatorStates[0][0] == WindowSnapshotV1.FormatVersion)
        {
            var (converted, groupTimes) = ConvertV1(restore);
            SetRestoredTimes(groupTimes);
            return converted;
        }
        var keyed = base.ReadRestore(restore);
        if (keyed is null)
        {
            return null;
        }
        var times = new Dictionary<int, long>();
        foreach (var trailer in keyed.Trailers)
        {
            var r = new StateReader(trailer);
            var version = r.ReadByte();
            var runs = version switch
            {
                TrailerOneTime => 1,
                TrailerPerGroupTimes => (int)r.ReadVarInt32(),
                _ => throw new StateFormatException(
                    $"Window state of '{Context.OperatorName}' has bookkeeping version {version}; this release reads versions {TrailerOneTime} and {TrailerPerGroupTimes}."),
            };
            for (var run = 0; run < runs; run++)
            {
                var time = r.ReadZigZagInt64();
                var start = (int)r.ReadVarInt32();
                var count = (int)r.ReadVarInt32();
                for (var group = start; group < start + count; group++)
                {
                    if (Context.KeyGroups.Contains(group))
                    {
                        times[group] = time;
                    }
                }
            }
        }
        SetRestoredTimes(times);
        return keyed;
    }

    /// <summary>Sets <see cref="Time"/> to the lowest restored key-group time and remembers those ahead of it.</summary>
    private void SetRestoredTimes(Dictionary<int, long> times)
    {
        if (times.Count == 0)
        {
            return;
        }
        Time = times.Values.Min();
        _groupTimesMax = times.Values.Max();
        if (_groupTimesMax > Time)
        {
            var range = Context.KeyGroups;
            _groupTimes = new long[range.Count];
            Array.Fill(_groupTimes, Time);
            foreach (var (group, time) in times)
            {
                _groupTimes[group - range.Start] = time;
            }
        }
    }

    /// <summary>
    /// Converts a window snapshot written before December 2026 (<see cref="WindowSnapshotV1"/>) into this operator's
    /// state and timers; returns them with each restored key group's time.
    /// </summary>
    protected abstract (KeyedStateRestore State, Dictionary<int, long> GroupTimes) ConvertV1(RestoreContext restore);

    // ---- records and results ----

    /// <summary>
    /// The job error for a key selector that threw (<paramref name="error"/>) or returned null (no error) on
    /// <paramref name="value"/>. Callers run the selector in their own <c>try</c>, not through a helper: a method with
    /// a <c>catch</c> is not inlined, and the call would copy the record (a struct, often larger than 50 bytes) twice.
    /// </summary>
    protected JobExecutionException KeyFailure(TIn value, Exception? error) => UserFailure("extracting the key", value,
        error ?? new InvalidOperationException("The key selector returned null; keys must not be null."));

    protected long RequireTimestamp(TIn value, long timestamp) => timestamp != EventTime.NoTimestamp
        ? timestamp
        : throw UserFailure("assigning windows", value, new InvalidOperationException(
            "The record has no event timestamp. Give the source a WatermarkStrategy with a timestamp assigner, or use processing-time windows."));

    protected TAcc Add(TAcc accumulator, TIn value)
    {
        try
        {
            return Function.Add(accumulator, value);
        }
        catch (Exception e)
        {
            throw UserFailure("adding to a window", value, e);
        }
    }

    protected void Emit(TKey key, TimeWindow window, TAcc accumulator, long timestamp)
    {
        Collector.Timestamp = timestamp;
        try
        {
            Function.Emit(key, window, accumulator, Collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure($"evaluating window {window} of key {key}", null, e);
        }
    }

    protected void Late(TIn value, long timestamp)
    {
        _late++;
        if (_lateTag is not null)
        {
            Output.EmitSide(_lateTag, value, timestamp);
        }
        else
        {
            SluiceMetrics.DroppedRecords.Add(1, _droppedLateTags);
        }
    }
}

/// <summary>
/// Windows in time (aligned and session): event-time windows fire as the watermark passes their end; processing-time
/// windows as the clock does, and whatever they hold at the end of input (the final watermark).
/// </summary>
internal abstract class TimeWindowOperator<TKey, TIn, TAcc, TOut>(bool eventTime, KeySpec<TIn, TKey> key, WindowFunction<TKey, TIn, TAcc, TOut> function,
    OutputTag<TIn>? lateTag, Output<TOut> output) : WindowOperatorBase<TKey, TIn, TAcc, TOut>(key, function, lateTag, output) where TKey : notnull
{
    /// <summary>True for event-time windows, false for processing-time ones.</summary>
    protected bool IsEventTime { get; } = eventTime;

    /// <summary>
    /// The time a record is windowed by: its event timestamp, or the processing time of the task's step
    /// (<see cref="OperatorContext.StepNow"/>): the clock is read once per step, not per record (reading it was about a
    /// fifth of a processing-time window's per-record cost). The step fires its due processing-time timers at that same
    /// reading, so the windows' time never passes the time of a record handled in the step.
    /// </summary>
    protected long RecordTime(TIn value, long timestamp) => IsEventTime ? RequireTimestamp(value, timestamp) : Context.StepNow;

    public override void ProcessWatermark(long watermark)
    {
        if (IsEventTime)
        {
            AdvanceTime(watermark);
            Timers.AdvanceWatermark(watermark);
        }
        else if (watermark == EventTime.MaxWatermark)
        {
            AdvanceTime(watermark);
            Timers.OnProcessingTime(watermark);
        }
        CurrentWatermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now)
    {
        if (!IsEventTime)
        {
            AdvanceTime(now);
            Timers.OnProcessingTime(now);
        }
    }
}

/// <summary>The namespace of window state and timers: a <see cref="TimeWindow"/>, as two zig-zag varints.</summary>
internal sealed class TimeWindowSerializer : IStateSerializer<TimeWindow>
{
    public static readonly TimeWindowSerializer Instance = new();

    public string FormatId => "window";

    public int Version => 1;

    public void Write(StateWriter output, TimeWindow value)
    {
        output.WriteZigZagInt64(value.Start);
        output.WriteZigZagInt64(value.End);
    }

    public TimeWindow Read(StateReader input, int version) => new(input.ReadZigZagInt64(), input.ReadZigZagInt64());
}
