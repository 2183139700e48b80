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
internal sealed class SessionWindowOperator<TKey, TIn, TAcc, TOut> : WindowOperatorBase<TKey, TIn, TAcc, TOut>, Operators.IKeyedStateInspection where TKey : notnull
{
    private readonly long _gap;
    private readonly long _lateness;
    private readonly bool _eventTime;
    private readonly Dictionary<TKey, List<Session>> _sessions = [];
    private readonly TimerQueue<TKey> _timers = new();
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
        foreach (var session in list)
        {
            if (session.Window.Intersects(window))
            {
                _overlapping.Add(session);
                merged = merged.Cover(session.Window);
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
        TAcc acc;
        var fired = false;
        if (_overlapping.Count == 0)
        {
            acc = Function.Create();
        }
        else
        {
            acc = _overlapping[0].Accumulator;
            fired = _overlapping[0].Fired;
            list.Remove(_overlapping[0]);
            for (var i = 1; i < _overlapping.Count; i++)
            {
                acc = Function.Merge(acc, _overlapping[i].Accumulator);
                fired |= _overlapping[i].Fired;
                list.Remove(_overlapping[i]);
            }
        }
        acc = Add(acc, value);
        var result = new Session(merged, acc);
        var index = list.FindIndex(s => s.Window.Start > merged.Start);
        list.Insert(index < 0 ? list.Count : index, result);
        if (merged.MaxTimestamp <= _time)
        {
            // Only reachable in event time within the allowed lateness: the session already fired (or would have).
            result.Fired = true;
            Emit(key, merged, acc, merged.MaxTimestamp);
        }
        else
        {
            Register(key, merged.MaxTimestamp);
        }
        if (_lateness > 0 || fired)
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
            }
            if (list.Count == 0)
            {
                _sessions.Remove(key);
            }
        }
    }

    private sealed class Session(TimeWindow window, TAcc accumulator)
    {
        public TimeWindow Window { get; } = window;

        public TAcc Accumulator { get; } = accumulator;

        public bool Fired { get; set; }
    }
}
