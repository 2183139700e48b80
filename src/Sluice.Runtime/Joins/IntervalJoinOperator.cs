using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Joins;

/// <summary>
/// The interval join: a two-input keyed operator. Each side buffers its records per key, by timestamp; a new record
/// joins the other side's buffered records in its interval (<c>t + lower ≤ t' ≤ t + upper</c>, timestamp
/// <c>max(t, t')</c>). A left record at <c>t</c> is kept until the watermark passes <c>t + upper</c>, a right record
/// at <c>t'</c> until it passes <c>t' − lower</c>: after that no on-time record of the other side can match it.
/// </summary>
/// <remarks>
/// State: map states <c>left-buffer</c> and <c>right-buffer</c>, timestamp → records at that timestamp. Each record
/// arms one event-time timer at its cleanup time (in the service <see cref="KeyedStateSnapshot.DefaultTimerService"/>,
/// void namespace); a timer at <c>T</c> removes exactly the left records at <c>T − upper</c> (or <c>T</c> when upper ≤ 0)
/// and the right records at <c>T + lower</c> (or <c>T</c> when lower ≥ 0) — the ones whose cleanup time is <c>T</c>.
/// Checkpoints of earlier releases, where the join was a co-process function with list states <c>left</c> and
/// <c>right</c> of (timestamp, record), are converted on restore (<see cref="ReadRestore"/>); their timers are the same.
/// </remarks>
internal sealed class IntervalJoinOperator<TKey, T1, T2, TOut> : KeyedStreamOperator<TKey>, ITwoInput<T1, T2>, ITimerTarget<TKey, VoidNamespace> where TKey : notnull
{
    private const string LeftName = "left-buffer";
    private const string RightName = "right-buffer";
    private readonly Func<T1, TKey> _key1;
    private readonly Func<T2, TKey> _key2;
    private readonly long _lower;
    private readonly long _upper;
    private readonly Func<T1, T2, TOut> _join;
    private readonly Output<TOut> _output;
    private IInternalMapState<VoidNamespace, long, List<T1>> _left = null!;
    private IInternalMapState<VoidNamespace, long, List<T2>> _right = null!;
    private InternalTimerService<TKey, VoidNamespace> _timers = null!;

    public IntervalJoinOperator(Func<T1, TKey> key1, Func<T2, TKey> key2, IKeyHasher<TKey> hasher, IntervalJoinSpec<T1, T2, TOut> spec, Output<TOut> output)
        : base(hasher)
    {
        _key1 = key1;
        _key2 = key2;
        _lower = spec.Lower;
        _upper = spec.Upper;
        _join = spec.Join;
        _output = output;
        Downstream = output;
    }

    public override void Open()
    {
        base.Open();
        _left = Backend.GetMapState(new MapStateDescriptor<long, List<T1>>(LeftName), VoidNamespace.Serializer);
        _right = Backend.GetMapState(new MapStateDescriptor<long, List<T2>>(RightName), VoidNamespace.Serializer);
        _timers = Timers.GetTimerService(KeyedStateSnapshot.DefaultTimerService, VoidNamespace.Serializer, this);
    }

    public void ProcessElement1(T1 value, long timestamp)
    {
        var t = RequireTimestamp(timestamp, "left");
        try
        {
            Backend.SetCurrentKey(_key1(value));
            foreach (var (t2, records) in _right.Entries)
            {
                if (t2 >= t + _lower && t2 <= t + _upper)
                {
                    var at = Math.Max(t, t2);
                    foreach (var right in records)
                    {
                        _output.Collect(_join(value, right), at);
                    }
                }
            }
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("in the interval join (left record)", value, e);
        }
        Buffer(_left, t, value);
        _timers.RegisterEventTimeTimer(VoidNamespace.Instance, _upper > 0 ? t + _upper : t);
    }

    public void ProcessElement2(T2 value, long timestamp)
    {
        var t2 = RequireTimestamp(timestamp, "right");
        try
        {
            Backend.SetCurrentKey(_key2(value));
            foreach (var (t, records) in _left.Entries)
            {
                if (t2 >= t + _lower && t2 <= t + _upper)
                {
                    var at = Math.Max(t, t2);
                    foreach (var left in records)
                    {
                        _output.Collect(_join(left, value), at);
                    }
                }
            }
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("in the interval join (right record)", value, e);
        }
        Buffer(_right, t2, value);
        _timers.RegisterEventTimeTimer(VoidNamespace.Instance, _lower < 0 ? t2 - _lower : t2);
    }

    private static void Buffer<T>(IInternalMapState<VoidNamespace, long, List<T>> buffer, long timestamp, T value)
    {
        if (buffer.TryGetValue(timestamp, out var records))
        {
            records.Add(value);
        }
        else
        {
            records = [value];
        }
        buffer.Put(timestamp, records);
    }

    public override void ProcessWatermark(long watermark)
    {
        CurrentWatermark = watermark;
        Timers.AdvanceWatermark(watermark);
        _output.EmitWatermark(watermark);
    }

    void ITimerTarget<TKey, VoidNamespace>.OnEventTime(TKey key, VoidNamespace ns, long time)
    {
        _left.Remove(_upper > 0 ? time - _upper : time);
        _right.Remove(_lower < 0 ? time + _lower : time);
    }

    void ITimerTarget<TKey, VoidNamespace>.OnProcessingTime(TKey key, VoidNamespace ns, long time) { }

    private long RequireTimestamp(long timestamp, string side) => timestamp != EventTime.NoTimestamp
        ? timestamp
        : throw UserFailure($"in the interval join ({side} record)", null, new InvalidOperationException(
            $"An interval join needs event timestamps, but a {side} record has none: give its source a WatermarkStrategy with a timestamp assigner."));

    /// <summary>
    /// Reads the restored state; a checkpoint of the co-process function of earlier releases (list states <c>left</c>
    /// and <c>right</c> of (timestamp, record)) is converted into the timestamp-keyed buffers.
    /// </summary>
    protected override KeyedStateRestore? ReadRestore(RestoreContext restore)
    {
        var keyed = base.ReadRestore(restore);
        if (keyed is null)
        {
            return null;
        }
        ConvertListBuffer<T1>(keyed, "left", LeftName);
        ConvertListBuffer<T2>(keyed, "right", RightName);
        return keyed;
    }

    private static void ConvertListBuffer<T>(KeyedStateRestore keyed, string oldName, string newName)
    {
        var index = keyed.States.FindIndex(s => s.Header.Name == oldName && s.Header.Kind == "list");
        if (index < 0)
        {
            return;
        }
        var old = keyed.States[index];
        var oldValues = StateSerializers.For<List<(long, T)>>();
        old.Header.ValueFormat.EnsureReadableBy(SerializerDescriptor.Of(oldValues), $"{keyed.OperatorName}/{oldName}");
        var keys = StateSerializers.For<TKey>();
        var timestamps = StateSerializers.For<long>();
        var lists = StateSerializers.For<List<T>>();
        var format = new SerializerDescriptor($"map({timestamps.FormatId},{lists.FormatId})", 1);
        var converted = new RestoredKeyedState(new StateHeader(newName, "map", SerializerDescriptor.Of(VoidNamespace.Serializer), format));
        var scratch = new StateWriter(256);
        foreach (var (group, payload) in old.Entries)
        {
            var reader = new StateReader(payload);
            keys.Read(reader, keyed.KeyVersion);
            var keyBytes = payload.Span[..reader.Position];
            var stamp = reader.ReadZigZagInt64();
            var entries = oldValues.Read(reader, old.Header.ValueFormat.Version);
            reader.EnsureAtEnd();
            var byTime = new Dictionary<long, List<T>>();
            foreach (var (t, value) in entries)
            {
                if (!byTime.TryGetValue(t, out var list))
                {
                    byTime[t] = list = [];
                }
                list.Add(value);
            }
            scratch.Reset();
            scratch.WriteRaw(keyBytes);
            scratch.WriteZigZagInt64(stamp);
            scratch.WriteVarInt32((uint)byTime.Count);
            foreach (var (t, list) in byTime)
            {
                timestamps.Write(scratch, t);
                scratch.WriteZigZagInt64(stamp);
                lists.Write(scratch, list);
            }
            converted.Entries.Add(new RestoredPayload(group, scratch.WrittenSpan.ToArray()));
        }
        keyed.States[index] = converted;
    }
}
