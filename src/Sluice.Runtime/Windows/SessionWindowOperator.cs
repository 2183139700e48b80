using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
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
/// Per record nothing is allocated once a key has a session: a record that falls into sessions extends the first of
/// them in place. Timers are armed lazily: a session gets one when it opens (or is re-opened after it fired); when its
/// end moves later, the earlier timer still fires first and re-arms at the session's current end. So a session that
/// keeps growing costs about one timer per gap of growth, not one per record.
/// </remarks>
internal sealed class SessionWindowOperator<TKey, TIn, TAcc, TOut> : WindowOperatorBase<TKey, TIn, TAcc, TOut>, Operators.IKeyedStateInspection where TKey : notnull
{
    private readonly long _gap;
    private readonly long _lateness;
    private readonly bool _eventTime;
    private readonly Dictionary<TKey, List<Session>> _sessions = [];
    private readonly SessionTimerQueue<TKey> _timers = new();
    private readonly List<Session> _overlapping = [];
    private long _time = EventTime.MinWatermark;

    public SessionWindowOperator(SessionWindowAssigner assigner, long allowedLateness, KeySpec<TIn, TKey> key,
        WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
        : base(key, function, lateTag, output)
    {
        _gap = assigner.Gap;
        _lateness = allowedLateness;
        _eventTime = assigner.IsEventTime;
    }

    /// <summary>Live timers.</summary>
    public int TimerCount => _timers.Count;

    /// <summary>Live sessions over all keys.</summary>
    public int StateEntryCount
    {
        get
        {
            var n = 0;
            foreach (var list in _sessions.Values)
            {
                n += list.Count;
            }
            return n;
        }
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        var key = KeyOf(value);
        var t = _eventTime ? RequireTimestamp(value, timestamp) : Context.Now;
        var window = new TimeWindow(t, t + _gap);
        if (!_sessions.TryGetValue(key, out var list))
        {
            list = [];
            _sessions.Add(key, list);
        }
        _overlapping.Clear();
        var merged = window;
        foreach (var existing in list)
        {
            if (existing.Window.Intersects(window))
            {
                _overlapping.Add(existing);
                merged = merged.Cover(existing.Window);
            }
        }
        if (_eventTime && merged.MaxTimestamp + _lateness <= _time)
        {
            if (list.Count == 0)
            {
                _sessions.Remove(key);
            }
            Late(value, timestamp);
            return;
        }
        Session session;
        var wasFired = false;
        if (_overlapping.Count == 0)
        {
            session = new Session(merged, Function.Create());
            var index = 0;
            while (index < list.Count && list[index].Window.Start <= merged.Start)
            {
                index++;
            }
            list.Insert(index, session);
        }
        else
        {
            // The sessions of a key are sorted and disjoint: merging into the first overlapping one keeps the order.
            session = _overlapping[0];
            wasFired = session.Fired;
            for (var i = 1; i < _overlapping.Count; i++)
            {
                session.Accumulator = Function.Merge(session.Accumulator, _overlapping[i].Accumulator);
                wasFired |= _overlapping[i].Fired;
                list.Remove(_overlapping[i]);
            }
            session.Window = merged;
        }
        session.Accumulator = Add(session.Accumulator, value);
        if (merged.MaxTimestamp <= _time)
        {
            // Only reachable in event time within the allowed lateness: the session already fired (or would have).
            session.Fired = true;
            Emit(key, merged, session.Accumulator, merged.MaxTimestamp);
        }
        else
        {
            session.Fired = false;
            if (_overlapping.Count == 0 || wasFired)
            {
                Register(key, merged.MaxTimestamp); // An open session's earlier timer re-arms itself (Advance).
            }
        }
        if ((_lateness > 0 || wasFired) && (_overlapping.Count == 0 || wasFired || session.Fired))
        {
            Register(key, merged.MaxTimestamp + _lateness);
        }
    }

    public override void SnapshotState(SnapshotContext context)
    {
        WriteHeader(context);
        foreach (var (key, sessions) in _sessions)
        {
            var w = SectionFor(context, key, _time);
            KeySerializer.Write(w, key);
            w.WriteVarInt32((uint)sessions.Count);
            foreach (var session in sessions)
            {
                w.WriteZigZagInt64(session.Window.Start);
                w.WriteZigZagInt64(session.Window.End);
                w.WriteBool(session.Fired);
                AccumulatorSerializer.Write(w, session.Accumulator);
            }
        }
    }

    public override void Open()
    {
        base.Open();
        if (Context.Restore is not { } restore)
        {
            return;
        }
        var (keyVersion, accVersion) = ReadHeader(restore);
        var time = long.MaxValue;
        foreach (var (group, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            time = Math.Min(time, r.ReadZigZagInt64());
            while (!r.IsAtEnd)
            {
                var key = KeySerializer.Read(r, keyVersion);
                var count = (int)r.ReadVarInt32();
                var list = new List<Session>(count);
                for (var i = 0; i < count; i++)
                {
                    var window = new TimeWindow(r.ReadZigZagInt64(), r.ReadZigZagInt64());
                    var fired = r.ReadBool();
                    list.Add(new Session(window, AccumulatorSerializer.Read(r, accVersion)) { Fired = fired });
                }
                _sessions[key] = list;
            }
        }
        if (time == long.MaxValue)
        {
            return;
        }
        _time = time;
        foreach (var (key, list) in _sessions)
        {
            foreach (var session in list)
            {
                if (!session.Fired)
                {
                    Register(key, session.Window.MaxTimestamp);
                }
                if (_lateness > 0 || session.Fired)
                {
                    Register(key, session.Window.MaxTimestamp + _lateness);
                }
            }
        }
    }

    private void Register(TKey key, long time)
    {
        if (_timers.Register(key, time) && !_eventTime)
        {
            Context.RequestProcessingTime(time);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (_eventTime || watermark == EventTime.MaxWatermark)
        {
            Advance(watermark);
        }
        CurrentWatermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now)
    {
        if (_eventTime)
        {
            return;
        }
        Advance(now);
        var next = _timers.NextTime;
        if (next != long.MaxValue)
        {
            Context.RequestProcessingTime(next);
        }
    }

    private void Advance(long time)
    {
        if (time <= _time)
        {
            return;
        }
        _time = time;
        while (_timers.TryPopDue(time, out var key, out _))
        {
            if (!_sessions.TryGetValue(key, out var list))
            {
                continue;
            }
            for (var i = 0; i < list.Count; i++)
            {
                var session = list[i];
                if (!session.Fired && session.Window.MaxTimestamp <= time)
                {
                    session.Fired = true;
                    Emit(key, session.Window, session.Accumulator, session.Window.MaxTimestamp);
                }
                if (session.Fired && (time == EventTime.MaxWatermark || session.Window.MaxTimestamp + _lateness <= time))
                {
                    list.RemoveAt(i--);
                }
                else
                {
                    // The session grew after its timer was armed: re-arm at its current end (and its cleanup).
                    Register(key, session.Fired ? session.Window.MaxTimestamp + _lateness : session.Window.MaxTimestamp);
                    if (!session.Fired && _lateness > 0)
                    {
                        Register(key, session.Window.MaxTimestamp + _lateness);
                    }
                }
            }
            if (list.Count == 0)
            {
                _sessions.Remove(key);
            }
        }
    }

    /// <summary>One session of a key; mutated in place as records extend and merge it.</summary>
    private sealed class Session(TimeWindow window, TAcc accumulator)
    {
        public TimeWindow Window { get; set; } = window;

        public TAcc Accumulator { get; set; } = accumulator;

        public bool Fired { get; set; }
    }
}
