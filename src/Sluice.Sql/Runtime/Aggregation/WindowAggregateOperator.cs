using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's <c>WindowAggregate</c> for the TUMBLE, HOP and CUMULATE window TVFs: <c>GROUP BY window_start,
/// window_end, keys…</c> over a keyed stream of rows, emitting one insert-only row per window and key when the window
/// fires — when the watermark passes <c>window_end - 1</c> (event time), or when processing time does
/// (<see cref="WindowSpec.IsProcessingTime"/>; at the latest when bounded input ends).
/// </summary>
/// <remarks>
/// <para>Each row is added to every window <see cref="WindowAssignment.Assign"/> gives it (+I/+U accumulate, -U/-D
/// retract), or to its slice (below). A row whose earliest window has fired is late: it is dropped and counted (as
/// Flink drops a row whose slice has fired), so a row never reaches only some of its windows.</para>
/// <para>State per key, unless sliced: <c>windows</c>, a map state window end → the accumulator row as bytes
/// (<see cref="AccumulatorSerializer"/>; the window start is its last field), plus the calls' map states namespaced by
/// window end; one timer per window at its rowtime. A fired window's state is removed. Window state is not subject
/// to TTL: every window is removed when it fires.</para>
/// <para><b>Event-time HOP windows in slices</b>, as Flink's slicing window aggregation: when the input is insert-only and every
/// call merges by its accumulator row alone (<see cref="RowAggregator.MergesRowsOnly"/>), a row is added once, to
/// the accumulator of its slice (<see cref="WindowAssignment.SliceOf"/>) in the map state <c>slices</c> (slice end →
/// accumulator bytes), instead of to each of its <c>size / slide</c> windows. A new slice arms the timers of every
/// window containing it; a firing window merges its slices and then drops the earliest, which no later window
/// contains. A window of <c>windows</c> (restored from a checkpoint taken before slices, which held every HOP window
/// whole) is merged with the slices when it fires, so such a checkpoint restores.</para>
/// <para>The stream must be keyed by <see cref="WindowAggregateOperatorBase.KeySelector"/> of the same input and
/// group fields. Task thread only. Per record it allocates nothing once a window has state, unless an accumulator's
/// encoded length changes (its stored bytes are then reallocated).</para>
/// </remarks>
internal sealed class WindowAggregateOperator : WindowAggregateOperatorBase
{
    private readonly SqlWindow[] _windows;
    private readonly Row _slice;
    private IMapState<long, byte[]> _state = null!;
    private IMapState<long, byte[]>? _slices;

    /// <summary>Configures the aggregation.</summary>
    /// <param name="input">The input rows' schema.</param>
    /// <param name="groupFields">Group key fields other than the window bounds, by index into <paramref name="input"/>.</param>
    /// <param name="calls">The aggregate calls.</param>
    /// <param name="window">A TUMBLE, HOP or CUMULATE window.</param>
    /// <param name="inputRetracts">Whether the input may contain -U/-D rows.</param>
    /// <exception cref="SqlException">A SESSION window (use <see cref="SessionWindowAggregateOperator"/>), an invalid spec or call.</exception>
    public WindowAggregateOperator(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, WindowSpec window, bool inputRetracts)
        : base(input, groupFields, calls, window, inputRetracts, [new Field("window_start", DataType.BigInt)])
    {
        if (window.Kind == WindowKind.Session)
        {
            throw new SqlException($"Window {window} merges per key: it is aggregated by the session window operator.");
        }
        _windows = new SqlWindow[WindowAssignment.MaxWindowsPerRow(window)];
        _slice = new Row(Aggregator.AccumulatorSchema);
    }

    /// <inheritdoc />
    public override void Open()
    {
        base.Open();
        _state = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("windows"));
        // Event time only: the windows of a slice fire in order of their ends, each dropping its earliest slice, while
        // processing-time windows still pending at the end of input are fired from the state's list of windows. This
        // rule is part of the state format: an operator that stops slicing must still read the slices it restores.
        _slices = Window.Kind == WindowKind.Hop && !Window.IsProcessingTime && Aggregator.MergesRowsOnly
            ? Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("slices"))
            : null;
        Aggregator.Open(Context.State, ttl: null, merging: false);
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        if (!TryGetTime(value, out var time))
        {
            return;
        }
        if (_slices is not null)
        {
            AddToSlice(_slices, value, time);
            return;
        }
        var count = WindowAssignment.Assign(Window, time, _windows);
        if (count == 0)
        {
            return;
        }
        if (HasFired(_windows[0].End))
        {
            DropLate();
            return;
        }
        var accumulate = value.Kind is RowKind.Insert or RowKind.UpdateAfter;
        var accumulator = Accumulator;
        for (var i = 0; i < count; i++)
        {
            var window = _windows[i];
            if (_state.TryGetValue(window.End, out var bytes))
            {
                Serializer.Deserialize(bytes, accumulator);
            }
            else if (!accumulate)
            {
                continue; // retracting from a window without state: nothing to undo
            }
            else
            {
                Aggregator.Initialize(accumulator, value);
                accumulator.SetInt64(Aggregator.ExtraFieldOffset, window.Start);
                RegisterWindowTimer(window.End);
            }
            if (accumulate)
            {
                Aggregator.Accumulate(accumulator, value, window.End);
            }
            else
            {
                Aggregator.Retract(accumulator, value, window.End);
            }
            if (Aggregator.RowCount(accumulator) <= 0)
            {
                _state.Remove(window.End);
                Aggregator.ClearNamespace(window.End);
                DeleteWindowTimer(window.End);
            }
            else
            {
                _state.Put(window.End, Serializer.Serialize(accumulator, bytes));
            }
        }
    }

    /// <summary>Adds an insert-only row to its slice's accumulator; a new slice arms the timers of the windows containing it.</summary>
    private void AddToSlice(IMapState<long, byte[]> slices, Row value, long time)
    {
        if (value.Kind is not (RowKind.Insert or RowKind.UpdateAfter))
        {
            throw new InvalidOperationException($"Window aggregation '{Context.OperatorName}' was planned for insert-only input and got a {value.Kind} row: {value}.");
        }
        var slice = WindowAssignment.SliceOf(Window, time);
        // The earliest window containing the row ends where its slice does: once that window fired, the row is late.
        if (HasFired(slice.End))
        {
            DropLate();
            return;
        }
        var accumulator = Accumulator;
        if (slices.TryGetValue(slice.End, out var bytes))
        {
            Serializer.Deserialize(bytes, accumulator);
        }
        else
        {
            Aggregator.Initialize(accumulator, value);
            accumulator.SetInt64(Aggregator.ExtraFieldOffset, slice.Start);
            for (var end = slice.End; end < slice.Start + Window.SizeMillis + Window.SlideMillis; end += Window.SlideMillis)
            {
                RegisterWindowTimer(end);
            }
        }
        Aggregator.Accumulate(accumulator, value, slice.End);
        slices.Put(slice.End, Serializer.Serialize(accumulator, bytes));
    }

    /// <inheritdoc />
    private protected override void AddWindowEnds(List<long> ends)
    {
        foreach (var entry in _state.Entries)
        {
            ends.Add(entry.Key);
        }
    }

    /// <inheritdoc />
    private protected override void Fire(long end)
    {
        var accumulator = Accumulator;
        var found = _state.TryGetValue(end, out var bytes);
        var start = end - Window.SizeMillis;
        if (found)
        {
            Serializer.Deserialize(bytes!, accumulator);
            start = accumulator.GetInt64(Aggregator.ExtraFieldOffset);
            _state.Remove(end);
        }
        if (_slices is not null)
        {
            found |= MergeSlices(_slices, accumulator, end, found);
        }
        if (found)
        {
            Emit(accumulator, end, start, end);
            Aggregator.ClearNamespace(end);
        }
    }

    /// <summary>
    /// Merges the slices of the window ending at <paramref name="end"/> into <paramref name="accumulator"/>, which
    /// holds a value when <paramref name="started"/> (else the first slice found is read into it), then drops the
    /// window's earliest slice, which no later window contains; true when a slice was found. Walks the key's slices
    /// rather than looking up each of the window's: a sparse key holds few, and looking up an absent slice costs
    /// about as much as reading one.
    /// </summary>
    private bool MergeSlices(IMapState<long, byte[]> slices, Row accumulator, long end, bool started)
    {
        var earliest = end - Window.SizeMillis + Window.SlideMillis;
        var found = false;
        var dropEarliest = false;
        foreach (var (sliceEnd, bytes) in slices.Entries)
        {
            if (sliceEnd < earliest || sliceEnd > end)
            {
                continue;
            }
            if (!started && !found)
            {
                Serializer.Deserialize(bytes, accumulator);
            }
            else
            {
                Serializer.Deserialize(bytes, _slice);
                Aggregator.Merge(accumulator, end, _slice, sliceEnd);
            }
            found = true;
            dropEarliest |= sliceEnd == earliest;
        }
        if (dropEarliest)
        {
            slices.Remove(earliest);
        }
        return found;
    }
}
