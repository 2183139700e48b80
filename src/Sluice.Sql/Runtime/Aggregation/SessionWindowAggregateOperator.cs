using Sluice.Schemas;
using Sluice.Sql.Planning;
using Sluice.State;

namespace Sluice.Sql.Runtime;

/// <summary>
/// Flink's session window aggregation (the SESSION window TVF, <c>GROUP BY window_start, window_end, keys…</c>): per
/// key, each row opens the window [time, time + gap); windows that overlap or touch merge into one session, whose
/// accumulators are merged. A session emits one insert-only row when the watermark (or, for processing time, the
/// clock, at the latest when bounded input ends) passes its <c>window_end - 1</c>.
/// </summary>
/// <remarks>
/// <para>A row that merges with no open session and whose own window has already fired is late: dropped and counted.
/// A row merging into an open session is never late (that session has not fired). A retraction (-U/-D) is removed
/// from the open session that contains its time, and ignored when there is none; a session whose rows are all
/// retracted is forgotten.</para>
/// <para>State per key: <c>sessions</c>, a map state session start → the accumulator row as bytes
/// (<see cref="AccumulatorSerializer"/>; the session end is its last field), <c>session-ends</c> (start → end, read
/// to find overlapping sessions without decoding accumulators), and the calls' map states namespaced by session start.
/// Merging keeps the arrival order of FIRST_VALUE/LAST_VALUE (a per-key arrival counter); LISTAGG on insert-only input
/// joins the merged sessions' texts in the order of their starts.</para>
/// <para>Timers are armed lazily, as the DataStream session windows do: a new session arms one at its rowtime; when a
/// session grows or absorbs others, their earlier timers stay, and the first to fire finds the session that now
/// contains its time and re-arms at its current end. A session that keeps growing costs about one timer per gap of
/// growth rather than a delete and a register per row. A timer whose session was retracted away finds none and does
/// nothing.</para>
/// <para>The stream must be keyed by <see cref="WindowAggregateOperatorBase.KeySelector"/>. Task thread only. Per
/// record it allocates the enumerator of the key's sessions, and new accumulator bytes only when a new session starts
/// or the encoded accumulator changes length (else the stored bytes are rewritten in place).</para>
/// </remarks>
internal sealed class SessionWindowAggregateOperator : WindowAggregateOperatorBase
{
    private readonly Row _other;
    private readonly List<KeyValuePair<long, long>> _overlapping = [];
    private IMapState<long, byte[]> _sessions = null!;
    private IMapState<long, long> _ends = null!;

    /// <summary>Configures the aggregation.</summary>
    /// <param name="input">The input rows' schema.</param>
    /// <param name="groupFields">Group key fields (the SESSION's PARTITION BY keys and other keys), by index into <paramref name="input"/>.</param>
    /// <param name="calls">The aggregate calls.</param>
    /// <param name="window">A SESSION window (its gap in <see cref="WindowSpec.SizeMillis"/>).</param>
    /// <param name="inputRetracts">Whether the input may contain -U/-D rows.</param>
    /// <exception cref="SqlException">Not a SESSION window, an invalid gap or call.</exception>
    public SessionWindowAggregateOperator(Schema input, IReadOnlyList<int> groupFields, IReadOnlyList<AggregateCall> calls, WindowSpec window, bool inputRetracts)
        : base(input, groupFields, calls, window, inputRetracts, [new Field("window_end", DataType.BigInt)])
    {
        if (window.Kind != WindowKind.Session)
        {
            throw new SqlException($"Window {window} does not merge: it is aggregated by the window operator.");
        }
        _other = new Row(Aggregator.AccumulatorSchema);
    }

    /// <inheritdoc />
    public override void Open()
    {
        base.Open();
        _sessions = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("sessions"));
        _ends = Context.State.GetMapState(new MapStateDescriptor<long, long>("session-ends"));
        Aggregator.Open(Context.State, ttl: null, merging: true);
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        if (!TryGetTime(value, out var time))
        {
            return;
        }
        if (value.Kind is RowKind.UpdateBefore or RowKind.Delete)
        {
            RetractFromSession(value, time);
            return;
        }
        var start = time;
        var end = time + Window.SizeMillis;
        _overlapping.Clear();
        foreach (var session in _ends.Entries)
        {
            // Touching windows merge too, as Flink's TimeWindow.intersects.
            if (session.Key <= end && session.Value >= start)
            {
                _overlapping.Add(session);
            }
        }
        if (_overlapping.Count == 0 && HasFired(end))
        {
            DropLate();
            return;
        }
        var accumulator = Accumulator;
        long target = start;
        var targetExists = false;
        foreach (var session in _overlapping)
        {
            if (session.Key <= target)
            {
                target = session.Key;
                targetExists = true;
            }
            end = Math.Max(end, session.Value);
        }
        byte[]? targetBytes = null;
        if (targetExists)
        {
            targetBytes = _sessions.TryGetValue(target, out var bytes) ? bytes : throw MissingSession(target);
            Serializer.Deserialize(targetBytes, accumulator);
        }
        else
        {
            Aggregator.Initialize(accumulator, value);
        }
        foreach (var session in _overlapping)
        {
            if (session.Key == target)
            {
                continue;
            }
            Serializer.Deserialize(_sessions.TryGetValue(session.Key, out var bytes) ? bytes : throw MissingSession(session.Key), _other);
            Aggregator.Merge(accumulator, target, _other, session.Key);
            _sessions.Remove(session.Key);
            _ends.Remove(session.Key);
        }
        if (!targetExists)
        {
            RegisterWindowTimer(end); // a grown or merged session's earlier timers re-arm at its end when they fire
        }
        Aggregator.Accumulate(accumulator, value, target);
        accumulator.SetInt64(Aggregator.ExtraFieldOffset, end);
        _sessions.Put(target, Serializer.Serialize(accumulator, targetBytes));
        _ends.Put(target, end);
    }

    private void RetractFromSession(Row value, long time)
    {
        foreach (var session in _ends.Entries)
        {
            if (session.Key <= time && time < session.Value)
            {
                var (start, end) = (session.Key, session.Value);
                var accumulator = Accumulator;
                Serializer.Deserialize(_sessions.TryGetValue(start, out var bytes) ? bytes : throw MissingSession(start), accumulator);
                Aggregator.Retract(accumulator, value, start);
                if (Aggregator.RowCount(accumulator) <= 0)
                {
                    _sessions.Remove(start);
                    _ends.Remove(start);
                    Aggregator.ClearNamespace(start);
                    DeleteWindowTimer(end);
                }
                else
                {
                    _sessions.Put(start, Serializer.Serialize(accumulator, bytes));
                }
                return;
            }
        }
    }

    /// <inheritdoc />
    private protected override void AddWindowEnds(List<long> ends)
    {
        foreach (var session in _ends.Entries)
        {
            ends.Add(session.Value);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The timer may be one armed for an earlier end of the session (timers are armed lazily): the session containing
    /// <c>end - 1</c> fires if it ends at <paramref name="end"/>, else its timer is re-armed at its current end. At the
    /// end of input <paramref name="end"/> is a session's own end.
    /// </remarks>
    private protected override void Fire(long end)
    {
        long start = 0, sessionEnd = 0;
        var found = false;
        foreach (var session in _ends.Entries)
        {
            if (session.Key < end && end <= session.Value)
            {
                (start, sessionEnd, found) = (session.Key, session.Value, true);
                break;
            }
        }
        if (!found)
        {
            return; // the session was retracted away
        }
        if (sessionEnd != end)
        {
            // Re-armed even when already due: the timer service then fires it in this same pass, in order of time, so
            // the sessions a watermark closes still come out in order of their ends.
            RegisterWindowTimer(sessionEnd);
            return;
        }
        var bytes = _sessions.TryGetValue(start, out var stored) ? stored : throw MissingSession(start);
        var accumulator = Accumulator;
        Serializer.Deserialize(bytes, accumulator);
        Emit(accumulator, start, start, sessionEnd);
        _sessions.Remove(start);
        _ends.Remove(start);
        Aggregator.ClearNamespace(start);
    }

    private static InvalidOperationException MissingSession(long start) =>
        new($"Session window state is inconsistent: the session starting at {start} ms has an end but no accumulator.");
}
