using System.Runtime.InteropServices;
using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Transport;
using Sluice.State.Serialization;
using Sluice.Windowing;

namespace Sluice.Runtime.Windows;

/// <summary>
/// Tumbling and sliding windows on panes. Time is cut into panes of <c>gcd(size, slide)</c>; each record is folded
/// into exactly one (key, pane) accumulator, whatever the overlap, and a firing window merges its panes. Windows
/// fire in end order when the watermark (or, for processing time, the clock) reaches <c>end − 1</c>. A pane is
/// dropped once every window containing it is past <c>end − 1 + allowedLateness</c>. A record arriving after its
/// windows fired but within the lateness re-fires them for its key; one past every window's lateness is late.
/// </summary>
internal sealed class AlignedWindowOperator<TKey, TIn, TAcc, TOut> : WindowOperatorBase<TKey, TIn, TAcc, TOut>, Operators.IKeyedStateInspection where TKey : notnull
{
    private readonly long _size;
    private readonly long _slide;
    private readonly long _offset;
    private readonly long _pane;
    private readonly long _lateness;
    private readonly bool _eventTime;
    private readonly Dictionary<(TKey Key, long Pane), TAcc> _panes = [];
    private readonly Dictionary<long, List<TKey>> _keysByPane = [];
    private readonly SortedSet<long> _paneStarts = [];
    private readonly Stack<List<TKey>> _freeLists = new();
    private readonly HashSet<TKey> _emitted = [];
    private long _time = EventTime.MinWatermark;
    private long _nextWindowEnd = long.MaxValue;

    // After a restore with key groups of different times (the parallelism changed): windows of those key groups up
    // to their own time already fired before the checkpoint and must not fire again. Null once time passed them all.
    private Dictionary<int, long>? _restoredTimes;
    private long _restoredTimesMax;

    public AlignedWindowOperator(AlignedWindowAssigner assigner, long allowedLateness, KeySpec<TIn, TKey> key,
        WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
        : base(key, function, lateTag, output)
    {
        _size = assigner.Size;
        _slide = assigner.Slide;
        _offset = assigner.Offset;
        _pane = Gcd(_size, _slide);
        _lateness = allowedLateness;
        _eventTime = assigner.IsEventTime;
    }

    /// <summary>Live (key, pane) accumulators.</summary>
    public int StateEntryCount => _panes.Count;

    /// <summary>Panes waiting to fire or to be dropped.</summary>
    public int TimerCount => _paneStarts.Count;

    public override void ProcessElement(TIn value, long timestamp)
    {
        var key = KeyOf(value);
        var t = _eventTime ? RequireTimestamp(value, timestamp) : Context.Now;
        var lastStart = TimeWindow.AlignedStart(t, _offset, _slide);
        if (_eventTime && lastStart + _size - 1 + _lateness <= _time)
        {
            Late(value, timestamp);
            return;
        }
        var pane = TimeWindow.AlignedStart(t, _offset, _pane);
        ref var acc = ref CollectionsMarshal.GetValueRefOrAddDefault(_panes, (key, pane), out var exists);
        if (!exists)
        {
            acc = Function.Create();
            AddKeyToPane(key, pane);
        }
        acc = Add(acc!, value);
        if (FirstWindowEnd(pane) - 1 <= _time)
        {
            // Some window of this record already fired: fire it again for this key (allowed lateness in event time;
            // in processing time, a record arriving at the very millisecond its window fired).
            RefireForKey(key, pane);
            if (!_eventTime && lastStart + _size - 1 <= _time)
            {
                DropPane(pane);
            }
        }
        if (!_eventTime && _nextWindowEnd != long.MaxValue)
        {
            Context.RequestProcessingTime(_nextWindowEnd - 1);
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (_eventTime)
        {
            Advance(watermark);
        }
        else if (watermark == EventTime.MaxWatermark)
        {
            Advance(watermark);
        }
        CurrentWatermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now)
    {
        if (!_eventTime)
        {
            Advance(now);
            if (_nextWindowEnd != long.MaxValue)
            {
                Context.RequestProcessingTime(_nextWindowEnd - 1);
            }
        }
    }

    private void AddKeyToPane(TKey key, long pane)
    {
        if (!_keysByPane.TryGetValue(pane, out var keys))
        {
            keys = _freeLists.Count > 0 ? _freeLists.Pop() : [];
            _keysByPane.Add(pane, keys);
            _paneStarts.Add(pane);
            var candidate = FirstWindowEnd(pane);
            if (_time != EventTime.MinWatermark)
            {
                candidate = Math.Max(candidate, TimeWindow.AlignedStart(_time - _size + 1, _offset, _slide) + _slide + _size);
            }
            _nextWindowEnd = Math.Min(_nextWindowEnd, candidate);
        }
        keys.Add(key);
    }

    /// <summary>End of the first window that contains the pane starting at <paramref name="pane"/>.</summary>
    private long FirstWindowEnd(long pane) => TimeWindow.AlignedStart(pane - _size, _offset, _slide) + _slide + _size;

    /// <summary>Fires every window with <c>end − 1 ≤ time</c>, then drops panes past their lateness.</summary>
    private void Advance(long time)
    {
        if (time <= _time)
        {
            return;
        }
        _time = time;
        FireDue(time);
        if (_restoredTimes is not null && time >= _restoredTimesMax)
        {
            _restoredTimes = null;
        }
    }

    private void FireDue(long time)
    {
        while (_nextWindowEnd != long.MaxValue && _nextWindowEnd - 1 <= time)
        {
            var end = _nextWindowEnd;
            FireWindow(end - _size, end, key: default!, singleKey: false);
            _nextWindowEnd = NextWindowEndAfter(end);
        }
        while (_paneStarts.Count > 0)
        {
            var pane = _paneStarts.Min;
            var lastWindowEnd = TimeWindow.AlignedStart(pane, _offset, _slide) + _size;
            if (time != EventTime.MaxWatermark && lastWindowEnd - 1 + _lateness > time)
            {
                break;
            }
            DropPane(pane);
        }
    }

    private bool FiredBeforeRestore(TKey key, long maxTimestamp) =>
        _restoredTimes is not null && _restoredTimes.TryGetValue(KeyGroupOf(key), out var firedUpTo) && maxTimestamp <= firedUpTo;

    public override void SnapshotState(SnapshotContext context)
    {
        WriteHeader(context);
        foreach (var ((key, pane), acc) in _panes)
        {
            var w = SectionFor(context, key, _time);
            KeySerializer.Write(w, key);
            w.WriteZigZagInt64(pane);
            AccumulatorSerializer.Write(w, acc);
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
        var entries = new List<(TKey Key, long Pane, TAcc Acc)>();
        var times = new Dictionary<int, long>();
        foreach (var (group, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            times[group] = r.ReadZigZagInt64();
            while (!r.IsAtEnd)
            {
                entries.Add((KeySerializer.Read(r, keyVersion), r.ReadZigZagInt64(), AccumulatorSerializer.Read(r, accVersion)));
            }
        }
        if (times.Count == 0)
        {
            return;
        }
        _time = times.Values.Min();
        _restoredTimesMax = times.Values.Max();
        if (_restoredTimesMax > _time)
        {
            _restoredTimes = times;
        }
        foreach (var (key, pane, acc) in entries)
        {
            _panes[(key, pane)] = acc;
            AddKeyToPane(key, pane);
        }
        if (!_eventTime && _nextWindowEnd != long.MaxValue)
        {
            Context.RequestProcessingTime(_nextWindowEnd - 1);
        }
    }

    /// <summary>The next window end after <paramref name="end"/> that contains a live pane, skipping empty stretches.</summary>
    private long NextWindowEndAfter(long end)
    {
        var next = end + _slide;
        var firstPaneStart = next - _size;
        if (_paneStarts.Count == 0 || _paneStarts.Max < firstPaneStart)
        {
            return long.MaxValue;
        }
        if (_paneStarts.Min >= firstPaneStart)
        {
            return Math.Max(next, FirstWindowEnd(_paneStarts.Min));
        }
        var view = _paneStarts.GetViewBetween(firstPaneStart, long.MaxValue);
        return Math.Max(next, FirstWindowEnd(view.Min));
    }

    private void FireWindow(long start, long end, TKey key, bool singleKey)
    {
        var window = new TimeWindow(start, end);
        if (_pane == _size)
        {
            if (singleKey)
            {
                Emit(key, window, _panes[(key, start)], end - 1);
            }
            else if (_keysByPane.TryGetValue(start, out var keys))
            {
                foreach (var k in keys)
                {
                    if (!FiredBeforeRestore(k, end - 1))
                    {
                        Emit(k, window, _panes[(k, start)], end - 1);
                    }
                }
            }
            return;
        }
        if (singleKey)
        {
            Emit(key, window, MergePanes(key, start, end), end - 1);
            return;
        }
        _emitted.Clear();
        for (var p = start; p < end; p += _pane)
        {
            if (!_keysByPane.TryGetValue(p, out var keys))
            {
                continue;
            }
            foreach (var k in keys)
            {
                if (_emitted.Add(k) && !FiredBeforeRestore(k, end - 1))
                {
                    Emit(k, window, MergePanes(k, start, end), end - 1);
                }
            }
        }
    }

    private TAcc MergePanes(TKey key, long start, long end)
    {
        var acc = Function.Create();
        for (var p = start; p < end; p += _pane)
        {
            if (_panes.TryGetValue((key, p), out var paneAcc))
            {
                acc = Function.Merge(acc, paneAcc);
            }
        }
        return acc;
    }

    /// <summary>
    /// Re-fires, for one key, every already-fired window containing <paramref name="pane"/> that is still within its
    /// lateness (event time), or that fired at the current millisecond (processing time, which is never late).
    /// </summary>
    private void RefireForKey(TKey key, long pane)
    {
        var lastStart = TimeWindow.AlignedStart(pane, _offset, _slide);
        for (var start = TimeWindow.AlignedStart(pane - _size, _offset, _slide) + _slide; start <= lastStart; start += _slide)
        {
            var maxTimestamp = start + _size - 1;
            if (maxTimestamp <= _time && (!_eventTime || maxTimestamp + _lateness > _time))
            {
                FireWindow(start, start + _size, key, singleKey: true);
            }
        }
    }

    private void DropPane(long pane)
    {
        _paneStarts.Remove(pane);
        if (_keysByPane.Remove(pane, out var keys))
        {
            foreach (var key in keys)
            {
                _panes.Remove((key, pane));
            }
            keys.Clear();
            _freeLists.Push(keys);
        }
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
