using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State;
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
/// <remarks>
/// <para>
/// State: aggregating state <c>window-contents</c> by (key, pane), the pane being the namespace. Timers, in the
/// operator's one timer service by (key, window): when a key's pane first gets state, one timer at <c>end − 1</c> of
/// the first window of that pane not yet fired. A firing window of a key emits, then arms the key's next window if
/// the key has a pane in both (so every window with state fires once, in end order, without a timer per pane and
/// window), and releases the panes no later window contains: at once without lateness, else by a second timer of the
/// same window at <c>end − 1 + allowedLateness</c> — registered only when the firing found such a pane, or when a late
/// record creates one.
/// </para>
/// <para>
/// A window timer carries, as its hint (<see cref="TimerQueue{TKey, TNamespace}"/>), which of the window's panes may
/// hold state for its key (bit i: the pane at <c>start + i · pane</c>), so a firing reads only those: a new pane sets
/// its bit in the timer it arms; a firing passes the panes it found that the next window keeps to the next window's
/// timer, and to its release timer the panes it releases. A pane's bit reaches every window of the key that contains
/// it before that window fires (the pane arms the first of them not fired, each firing arms the next). Hints are not
/// checkpointed: a restored timer has every bit set and reads every pane, as do windows of more than 64 panes.
/// </para>
/// <para>Per record: one state access (two when the pane is new) and no allocation.</para>
/// </remarks>
internal sealed class AlignedWindowOperator<TKey, TIn, TAcc, TOut> : TimeWindowOperator<TKey, TIn, TAcc, TOut>, ITimerTarget<TKey, TimeWindow> where TKey : notnull
{
    private const string StateName = "window-contents";
    private readonly long _size;
    private readonly long _slide;
    private readonly long _offset;
    private readonly long _pane;
    private readonly bool _slideDividesSize;
    private readonly long _lateness;
    private readonly bool _hinted; // a window has at most 64 panes: timers carry which may hold state
    private readonly long _panesPerSlide;
    private IInternalAggregatingState<TimeWindow, TIn, TAcc, TAcc> _panes = null!;
    private InternalTimerService<TKey, TimeWindow> _timers = null!;

    public AlignedWindowOperator(AlignedWindowAssigner assigner, long allowedLateness, KeySpec<TIn, TKey> key,
        WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
        : base(assigner.IsEventTime, key, function, lateTag, output)
    {
        _size = assigner.Size;
        _slide = assigner.Slide;
        _offset = assigner.Offset;
        _pane = Gcd(_size, _slide);
        _slideDividesSize = _size % _slide == 0;
        _lateness = allowedLateness;
        _hinted = _size / _pane <= 64; // and so a slide, never longer than the window (the assigner refuses it), has fewer
        _panesPerSlide = _slide / _pane;
    }

    public override void Open()
    {
        base.Open();
        _panes = Backend.GetAggregatingState(new AggregatingStateDescriptor<TIn, TAcc, TAcc>(StateName, Function), TimeWindowSerializer.Instance);
        _timers = Timers.GetTimerService(TimerServiceName, TimeWindowSerializer.Instance, this);
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
        var lastStart = TimeWindow.AlignedStart(t, _offset, _slide);
        if (IsEventTime && lastStart + _size - 1 + _lateness <= time)
        {
            Late(value, timestamp);
            return;
        }
        var pane = _pane == _slide ? lastStart : TimeWindow.AlignedStart(t, _offset, _pane);
        _panes.SetCurrentNamespace(new TimeWindow(pane, pane + _pane));
        bool created;
        try
        {
            created = _panes.AddAndCheckCreated(value);
        }
        catch (Exception e) when (e is not JobExecutionException)
        {
            throw UserFailure("adding to a window", value, e);
        }
        if (created)
        {
            ArmPane(pane, lastStart, time);
        }
        if (FirstWindowStart(pane, lastStart) + _size - 1 <= time)
        {
            // Some window of this record already fired: fire it again for this key (allowed lateness in event time;
            // in processing time, a record arriving at the very millisecond its window fired).
            RefireForKey(key, pane, lastStart, time);
            if (!IsEventTime && lastStart + _size - 1 <= time)
            {
                _panes.SetCurrentNamespace(new TimeWindow(pane, pane + _pane));
                _panes.Clear();
            }
        }
    }

    /// <summary>Start of the first window that contains the pane starting at <paramref name="pane"/>, whose last window starts at <paramref name="lastStart"/>.</summary>
    private long FirstWindowStart(long pane, long lastStart) => _slideDividesSize
        ? lastStart - _size + _slide
        : TimeWindow.AlignedStart(pane - _size, _offset, _slide) + _slide;

    /// <summary>A key's pane got its first record: arm the first of its windows not yet fired, or, if all fired (within lateness), the release of the pane.</summary>
    private void ArmPane(long pane, long lastStart, long time)
    {
        for (var start = FirstWindowStart(pane, lastStart); start <= lastStart; start += _slide)
        {
            if (start + _size - 1 > time)
            {
                Register(new TimeWindow(start, start + _size), start + _size - 1, PaneBit(pane, start));
                return;
            }
        }
        if (lastStart + _size - 1 + _lateness > time)
        {
            Register(new TimeWindow(lastStart, lastStart + _size), lastStart + _size - 1 + _lateness, PaneBit(pane, lastStart));
        }
    }

    /// <summary>The hint bit of the pane starting at <paramref name="pane"/> in the window starting at <paramref name="windowStart"/>.</summary>
    private ulong PaneBit(long pane, long windowStart) => _hinted ? 1UL << (int)((pane - windowStart) / _pane) : TimerQueue<TKey, TimeWindow>.NoHint;

    private void Register(TimeWindow window, long time, ulong hint)
    {
        if (IsEventTime)
        {
            _timers.RegisterEventTimeTimer(window, time, hint);
        }
        else
        {
            _timers.RegisterProcessingTimeTimer(window, time, hint);
        }
    }

    void ITimerTarget<TKey, TimeWindow>.OnEventTime(TKey key, TimeWindow window, long time) => OnTimer(key, window, time);

    void ITimerTarget<TKey, TimeWindow>.OnProcessingTime(TKey key, TimeWindow window, long time) => OnTimer(key, window, time);

    /// <summary>A key's window timer: at <c>end − 1</c> the window fires; at <c>end − 1 + lateness</c> (the same time without lateness) its last panes go.</summary>
    private void OnTimer(TKey key, TimeWindow window, long time)
    {
        var hint = _hinted ? _timers.FiringHint : TimerQueue<TKey, TimeWindow>.NoHint;
        if (time == window.MaxTimestamp)
        {
            // After the firing, the hint holds the panes found: exact where the firing read them.
            hint = FireWindow(key, window, armNext: true, hint);
        }
        // The panes whose last window this is: [start, start + slide).
        var releasing = _hinted ? hint & ((1UL << (int)_panesPerSlide) - 1) : hint;
        if (time == window.MaxTimestamp + _lateness)
        {
            for (var i = 0L; i < _panesPerSlide; i++)
            {
                if (!_hinted || (releasing & (1UL << (int)i)) != 0)
                {
                    var pane = window.Start + (i * _pane);
                    _panes.SetCurrentNamespace(new TimeWindow(pane, pane + _pane));
                    _panes.Clear();
                }
            }
        }
        else if (time == window.MaxTimestamp && releasing != 0)
        {
            Register(window, window.MaxTimestamp + _lateness, releasing);
        }
    }

    /// <summary>
    /// Emits the current key's <paramref name="window"/> if it has state, reading only the panes of
    /// <paramref name="hint"/> (every pane without hints); with <paramref name="armNext"/>, arms the next window when
    /// a pane carries over. Returns the panes found as a hint (<see cref="TimerQueue{TKey, TNamespace}.NoHint"/> without hints).
    /// </summary>
    private ulong FireWindow(TKey key, TimeWindow window, bool armNext, ulong hint)
    {
        if (_pane == _size)
        {
            _panes.SetCurrentNamespace(window);
            if (_panes.TryGetAccumulator(out var single))
            {
                Emit(key, window, single, window.MaxTimestamp);
                return _hinted ? 1UL : hint;
            }
            return _hinted ? 0UL : hint;
        }
        var acc = Function.Create();
        var found = 0UL;
        var carries = false;
        var i = 0;
        for (var pane = window.Start; pane < window.End; pane += _pane, i++)
        {
            if (_hinted && (hint & (1UL << i)) == 0)
            {
                continue;
            }
            _panes.SetCurrentNamespace(new TimeWindow(pane, pane + _pane));
            if (_panes.TryGetAccumulator(out var paneAcc))
            {
                acc = Function.Merge(acc, paneAcc);
                found |= _hinted ? 1UL << i : 1UL;
                carries |= i >= _panesPerSlide;
            }
        }
        if (found != 0)
        {
            Emit(key, window, acc, window.MaxTimestamp);
        }
        if (armNext && carries)
        {
            var next = new TimeWindow(window.Start + _slide, window.End + _slide);
            Register(next, next.MaxTimestamp, _hinted ? found >> (int)_panesPerSlide : TimerQueue<TKey, TimeWindow>.NoHint);
        }
        return _hinted ? found : hint;
    }

    /// <summary>
    /// Re-fires, for one key, every already-fired window containing <paramref name="pane"/> that is still within its
    /// lateness (event time), or that fired at the current millisecond (processing time, which is never late).
    /// </summary>
    private void RefireForKey(TKey key, long pane, long lastStart, long time)
    {
        for (var start = FirstWindowStart(pane, lastStart); start <= lastStart; start += _slide)
        {
            var maxTimestamp = start + _size - 1;
            if (maxTimestamp <= time && (!IsEventTime || maxTimestamp + _lateness > time))
            {
                FireWindow(key, new TimeWindow(start, start + _size), armNext: false, TimerQueue<TKey, TimeWindow>.NoHint);
            }
        }
    }

    /// <summary>
    /// Version 1 held (key, pane, accumulator) per key group with the group's time: each pane becomes a
    /// <c>window-contents</c> entry and gets the timer a new pane gets at that time (<see cref="ArmPane"/>).
    /// </summary>
    protected override (KeyedStateRestore State, Dictionary<int, long> GroupTimes) ConvertV1(RestoreContext restore)
    {
        var (keyVersion, accVersion) = WindowSnapshotV1.ReadHeader<TKey, TAcc>(restore, Context.OperatorName);
        var windows = TimeWindowSerializer.Instance;
        var state = new RestoredKeyedState(new StateHeader(StateName, "aggregating", SerializerDescriptor.Of(windows), StateSerializers.Describe<TAcc>()));
        var timers = new RestoredTimers(new TimerHeader(TimerServiceName, SerializerDescriptor.Of(windows)));
        var times = new Dictionary<int, long>();
        var scratch = new StateWriter(64);
        foreach (var (group, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            var time = times[group] = r.ReadZigZagInt64();
            while (!r.IsAtEnd)
            {
                var key = KeySerializer.Read(r, keyVersion);
                var pane = r.ReadZigZagInt64();
                var acc = AccumulatorSerializer.Read(r, accVersion);
                if (V1Timer(pane, time) is not var (window, at))
                {
                    continue; // Every window of the pane fired without lateness: version 1 would drop it at the next advance.
                }
                state.Entries.Add(WindowSnapshotV1.Payload(scratch, group, KeySerializer, key, windows, new TimeWindow(pane, pane + _pane), w =>
                {
                    w.WriteZigZagInt64(0);
                    AccumulatorSerializer.Write(w, acc);
                }));
                timers.Add(!IsEventTime, WindowSnapshotV1.Payload(scratch, group, KeySerializer, key, windows, window, w => w.WriteZigZagInt64(at)));
            }
        }
        return (WindowSnapshotV1.Converted<TKey>(Context.OperatorName, state, timers), times);
    }

    /// <summary>
    /// The timer <see cref="ArmPane"/> gives a pane at <paramref name="time"/> (a pane past its lateness is released at
    /// the next advance); null when the pane is gone already.
    /// </summary>
    private (TimeWindow Window, long Time)? V1Timer(long pane, long time)
    {
        var lastStart = TimeWindow.AlignedStart(pane, _offset, _slide);
        for (var start = FirstWindowStart(pane, lastStart); start <= lastStart; start += _slide)
        {
            if (start + _size - 1 > time)
            {
                return (new TimeWindow(start, start + _size), start + _size - 1);
            }
        }
        return _lateness > 0 ? (new TimeWindow(lastStart, lastStart + _size), lastStart + _size - 1 + _lateness) : null;
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
