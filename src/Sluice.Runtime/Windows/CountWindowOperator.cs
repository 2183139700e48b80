using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.Runtime.Transport;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Windows;

/// <summary>
/// The global window with a count trigger: every <c>count</c> records of a key fire the window (spanning all time)
/// and purge it. A partial window never fires. Results carry the timestamp of the record that completed the count.
/// State: one value per key in the global window's namespace, (records so far, accumulator). No timers.
/// </summary>
internal sealed class CountWindowOperator<TKey, TIn, TAcc, TOut>(long count, KeySpec<TIn, TKey> key,
    WindowFunction<TKey, TIn, TAcc, TOut> function, Output<TOut> output)
    : WindowOperatorBase<TKey, TIn, TAcc, TOut>(key, function, null, output) where TKey : notnull
{
    private const string StateName = "window-contents";
    private static readonly TimeWindow s_global = new(long.MinValue, long.MaxValue);
    private IInternalValueState<TimeWindow, (long Count, TAcc Accumulator)> _windows = null!;

    public override void Open()
    {
        base.Open();
        _windows = Backend.GetValueState(new ValueStateDescriptor<(long, TAcc)>(StateName), TimeWindowSerializer.Instance);
        _windows.SetCurrentNamespace(s_global);
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
        Backend.SetCurrentKey(key);
        if (!_windows.TryGet(out var window))
        {
            window = (0, Function.Create());
        }
        window.Accumulator = Add(window.Accumulator, value);
        if (++window.Count == count)
        {
            _windows.Clear();
            Emit(key, s_global, window.Accumulator, timestamp);
        }
        else
        {
            _windows.Update(window);
        }
    }

    protected override (KeyedStateRestore State, Dictionary<int, long> GroupTimes) ConvertV1(RestoreContext restore)
    {
        var (keyVersion, accVersion) = WindowSnapshotV1.ReadHeader<TKey, TAcc>(restore, Context.OperatorName);
        var values = StateSerializers.For<(long, TAcc)>();
        var state = new RestoredKeyedState(new StateHeader(StateName, "value", SerializerDescriptor.Of(TimeWindowSerializer.Instance), SerializerDescriptor.Of(values)));
        var scratch = new StateWriter(64);
        foreach (var (group, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            r.ReadZigZagInt64();
            while (!r.IsAtEnd)
            {
                var k = KeySerializer.Read(r, keyVersion);
                var n = (long)r.ReadVarInt64();
                var acc = AccumulatorSerializer.Read(r, accVersion);
                state.Entries.Add(WindowSnapshotV1.Payload(scratch, group, KeySerializer, k, TimeWindowSerializer.Instance, s_global, w =>
                {
                    w.WriteZigZagInt64(0);
                    values.Write(w, (n, acc));
                }));
            }
        }
        return (WindowSnapshotV1.Converted<TKey>(Context.OperatorName, state, timers: null), []);
    }
}
