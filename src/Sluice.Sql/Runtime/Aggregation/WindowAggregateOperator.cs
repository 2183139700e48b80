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
/// retract). A row whose earliest window has fired is late: it is dropped and counted (as Flink drops a row whose
/// slice has fired), so a row never reaches only some of its windows.</para>
/// <para>State per key: <c>windows</c>, a map state window end → the accumulator row as bytes
/// (<see cref="AccumulatorSerializer"/>; the window start is its last field), plus the calls' map states namespaced by
/// window end; one timer per window at its rowtime. A fired window's state is removed. Window state is not subject
/// to TTL: every window is removed when it fires.</para>
/// <para>The stream must be keyed by <see cref="WindowAggregateOperatorBase.KeySelector"/> of the same input and
/// group fields. Task thread only. Per record it allocates nothing once a window has state, unless an accumulator's
/// encoded length changes (its stored bytes are then reallocated).</para>
/// </remarks>
internal sealed class WindowAggregateOperator : WindowAggregateOperatorBase
{
    private readonly SqlWindow[] _windows;
    private IMapState<long, byte[]> _state = null!;

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
    }

    /// <inheritdoc />
    public override void Open()
    {
        base.Open();
        _state = Context.State.GetMapState(new MapStateDescriptor<long, byte[]>("windows"));
        Aggregator.Open(Context.State, ttl: null, merging: false);
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        if (!TryGetTime(value, out var time))
        {
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
        if (!_state.TryGetValue(end, out var bytes))
        {
            return;
        }
        var accumulator = Accumulator;
        Serializer.Deserialize(bytes, accumulator);
        Emit(accumulator, end, accumulator.GetInt64(Aggregator.ExtraFieldOffset), end);
        _state.Remove(end);
        Aggregator.ClearNamespace(end);
    }
}
