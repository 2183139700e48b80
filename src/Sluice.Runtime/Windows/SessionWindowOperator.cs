using System.Runtime.InteropServices;
using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State;
using Sluice.State.Serialization;
using Sluice.Windowing;

namespace Sluice.Runtime.Windows;

/// <summary>
/// Session windows: each record opens <c>[t, t + gap)</c>, which merges with every session of its key it overlaps
/// or touches (accumulators merged). A session fires when time reaches <c>end − 1</c> and is dropped at
/// <c>end − 1 + allowedLateness</c>; a record merging into an already-fired session within the lateness re-fires it
/// (if the merged session's end has passed). A record whose merged session would already be past its lateness is late.
/// </summary>
/// <remarks>
/// <para>
/// State: value state <c>sessions</c> per key, the key's sessions sorted and disjoint, each (start, end, fired,
/// accumulator). A record reads it once, finds the sessions it touches, and writes it back. Sessions move and merge
/// as records arrive, so they are not a stable namespace; the key is (the state and timers use the void namespace).
/// </para>
/// <para>
/// Timers are armed lazily, by (key, time) in the operator's one timer service: a session gets one when it opens (or
/// is re-opened after it fired); when its end moves later, the earlier timer still fires first and re-arms at the
/// session's current end. So a session that keeps growing costs about one timer per gap of growth, not one per
/// record. A key's timer looks at all of its sessions: it fires the due ones and drops those past their lateness.
/// </para>
/// </remarks>
internal sealed class SessionWindowOperator<TKey, TIn, TAcc, TOut> : TimeWindowOperator<TKey, TIn, TAcc, TOut>, ITimerTarget<TKey, VoidNamespace> where TKey : notnull
{
    private const string StateName = "sessions";
    private readonly long _gap;
    private readonly long _lateness;
    private IInternalValueState<VoidNamespace, List<(long Start, long End, bool Fired, TAcc Accumulator)>> _sessions = null!;
    private InternalTimerService<TKey, VoidNamespace> _timers = null!;

    // Lists of keys whose last session went: reused for keys that open one (no allocation per new session).
    private readonly Stack<List<(long Start, long End, bool Fired, TAcc Accumulator)>> _freeLists = new();

    public SessionWindowOperator(SessionWindowAssigner assigner, long allowedLateness, KeySpec<TIn, TKey> key,
        WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
        : base(assigner.IsEventTime, key, function, lateTag, output)
    {
        _gap = assigner.Gap;
        _lateness = allowedLateness;
    }

    public override void Open()
    {
        base.Open();
        _sessions = Backend.GetValueState(new ValueStateDescriptor<List<(long, long, bool, TAcc)>>(StateName), VoidNamespace.Serializer);
        _timers = Timers.GetTimerService(TimerServiceName, VoidNamespace.Serializer, this);
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        TKey key;
        try
        {
            key = KeySelector(value);
        }
        catch (Exception e)
        {
            throw KeyFailure(value, e);
        }
        if (key is null)
        {
            throw KeyFailure(value, null);
        }
        var t = RecordTime(value, timestamp);
        Backend.SetCurrentKey(key);
        var time = TimeOfCurrentKey();
        var window = new TimeWindow(t, t + _gap);
        var list = _sessions.TryGet(out var existing) ? existing : null;
        var count = list?.Count ?? 0;
        var sessions = list is null ? [] : CollectionsMarshal.AsSpan(list);

        // The sessions of a key are sorted and disjoint: those the record touches are contiguous, [first, last].
        var first = -1;
        var last = -1;
        var merged = window;
        for (var i = 0; i < count; i++)
        {
            var other = new TimeWindow(sessions[i].Start, sessions[i].End);
            if (other.Intersects(window))
            {
                if (first < 0)
                {
                    first = i;
                }
                last = i;
                merged = merged.Cover(other);
            }
        }
        if (IsEventTime && merged.MaxTimestamp + _lateness <= time)
        {
            Late(value, timestamp);
            return;
        }
        var opened = first < 0;
        var wasFired = false;
        int index;
        TAcc acc;
        if (opened)
        {
            list ??= _freeLists.Count > 0 ? _freeLists.Pop() : [];
            index = 0;
            while (index < list.Count && list[index].Start <= merged.Start)
            {
                index++;
            }
            list.Insert(index, (merged.Start, merged.End, false, Function.Create()));
            sessions = CollectionsMarshal.AsSpan(list);
            acc = sessions[index].Accumulator;
        }
        else
        {
            // Merge into the first touched session, which keeps the order.
            index = first;
            acc = sessions[first].Accumulator;
            wasFired = sessions[first].Fired;
            for (var i = first + 1; i <= last; i++)
            {
                acc = Function.Merge(acc, sessions[i].Accumulator);
                wasFired |= sessions[i].Fired;
            }
            if (last > first)
            {
                list!.RemoveRange(first + 1, last - first);
                sessions = CollectionsMarshal.AsSpan(list);
            }
        }
        acc = Add(acc, value);
        ref var session = ref sessions[index];
        session = (merged.Start, merged.End, merged.MaxTimestamp <= time, acc);
        _sessions.Update(list!);
        if (session.Fired)
        {
            // Only reachable in event time within the allowed lateness: the session already fired (or would have).
            Emit(key, merged, acc, merged.MaxTimestamp);
        }
        else if (opened || wasFired)
        {
            Register(merged.MaxTimestamp); // An open session's earlier timer re-arms itself (OnTimer).
        }
        if ((_lateness > 0 || wasFired) && (opened || wasFired || merged.MaxTimestamp <= time))
        {
            Register(merged.MaxTimestamp + _lateness);
        }
    }

    private void Register(long time)
    {
        if (IsEventTime)
        {
            _timers.RegisterEventTimeTimer(VoidNamespace.Instance, time);
        }
        else
        {
            _timers.RegisterProcessingTimeTimer(VoidNamespace.Instance, time);
        }
    }

    void ITimerTarget<TKey, VoidNamespace>.OnEventTime(TKey key, VoidNamespace ns, long time) => OnTimer(key);

    void ITimerTarget<TKey, VoidNamespace>.OnProcessingTime(TKey key, VoidNamespace ns, long time) => OnTimer(key);

    /// <summary>One of the key's timers: fire its due sessions, drop those past their lateness, re-arm the rest at their current ends.</summary>
    private void OnTimer(TKey key)
    {
        if (!_sessions.TryGet(out var list))
        {
            return;
        }
        var time = Time;
        for (var i = 0; i < list.Count; i++)
        {
            var session = list[i];
            var window = new TimeWindow(session.Start, session.End);
            if (!session.Fired && window.MaxTimestamp <= time)
            {
                list[i] = session = (session.Start, session.End, true, session.Accumulator);
                Emit(key, window, session.Accumulator, window.MaxTimestamp);
            }
            if (session.Fired && (time == EventTime.MaxWatermark || window.MaxTimestamp + _lateness <= time))
            {
                list.RemoveAt(i--);
            }
            else
            {
                // The session grew after its timer was armed: re-arm at its current end (and its cleanup).
                Register(session.Fired ? window.MaxTimestamp + _lateness : window.MaxTimestamp);
                if (!session.Fired && _lateness > 0)
                {
                    Register(window.MaxTimestamp + _lateness);
                }
            }
        }
        if (list.Count == 0)
        {
            _sessions.Clear();
            // The list is only ours now: TryGet hands out a value no snapshot still reads (the heap backend copies a
            // shared one first, RocksDB deserializes a new one), and the state no longer holds it.
            if (_freeLists.Count < 64)
            {
                _freeLists.Push(list);
            }
        }
        else
        {
            _sessions.Update(list);
        }
    }

    /// <summary>Version 1 held each key's sessions per key group: they become the key's <c>sessions</c> value with the timers version 1 armed on restore.</summary>
    protected override (KeyedStateRestore State, Dictionary<int, long> GroupTimes) ConvertV1(RestoreContext restore)
    {
        var (keyVersion, accVersion) = WindowSnapshotV1.ReadHeader<TKey, TAcc>(restore, Context.OperatorName);
        var values = StateSerializers.For<List<(long, long, bool, TAcc)>>();
        var voidNs = VoidNamespace.Serializer;
        var state = new RestoredKeyedState(new StateHeader(StateName, "value", SerializerDescriptor.Of(voidNs), SerializerDescriptor.Of(values)));
        var timers = new RestoredTimers(new TimerHeader(TimerServiceName, SerializerDescriptor.Of(voidNs)));
        var times = new Dictionary<int, long>();
        var scratch = new StateWriter(64);
        foreach (var (group, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            times[group] = r.ReadZigZagInt64();
            while (!r.IsAtEnd)
            {
                var key = KeySerializer.Read(r, keyVersion);
                var count = (int)r.ReadVarInt32();
                var list = new List<(long, long, bool, TAcc)>(count);
                for (var i = 0; i < count; i++)
                {
                    var start = r.ReadZigZagInt64();
                    var end = r.ReadZigZagInt64();
                    var fired = r.ReadBool();
                    list.Add((start, end, fired, AccumulatorSerializer.Read(r, accVersion)));
                    if (!fired)
                    {
                        AddTimer(end - 1);
                    }
                    if (_lateness > 0 || fired)
                    {
                        AddTimer(end - 1 + _lateness);
                    }
                }
                state.Entries.Add(WindowSnapshotV1.Payload(scratch, group, KeySerializer, key, voidNs, VoidNamespace.Instance, w =>
                {
                    w.WriteZigZagInt64(0);
                    values.Write(w, list);
                }));

                void AddTimer(long at) =>
                    timers.Add(!IsEventTime, WindowSnapshotV1.Payload(scratch, group, KeySerializer, key, voidNs, VoidNamespace.Instance, w => w.WriteZigZagInt64(at)));
            }
        }
        return (WindowSnapshotV1.Converted<TKey>(Context.OperatorName, state, timers), times);
    }
}
