using System.Runtime.InteropServices;
using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Transport;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Windows;

/// <summary>
/// The global window with a count trigger: every <c>count</c> records of a key fire the window (spanning all time)
/// and purge it. A partial window never fires. Results carry the timestamp of the record that completed the count.
/// </summary>
internal sealed class CountWindowOperator<TKey, TIn, TAcc, TOut>(long count, KeySpec<TIn, TKey> key,
    WindowFunction<TKey, TIn, TAcc, TOut> function, Output<TOut> output)
    : WindowOperatorBase<TKey, TIn, TAcc, TOut>(key, function, null, output) where TKey : notnull
{
    private static readonly TimeWindow s_global = new(long.MinValue, long.MaxValue);
    private readonly Dictionary<TKey, (long Count, TAcc Accumulator)> _windows = [];

    public override void SnapshotState(SnapshotContext context)
    {
        WriteHeader(context);
        foreach (var (key, window) in _windows)
        {
            var w = SectionFor(context, key, 0);
            KeySerializer.Write(w, key);
            w.WriteVarInt64((ulong)window.Count);
            AccumulatorSerializer.Write(w, window.Accumulator);
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
        foreach (var (_, bytes) in restore.KeyGroups)
        {
            var r = new StateReader(bytes);
            r.ReadZigZagInt64();
            while (!r.IsAtEnd)
            {
                var key = KeySerializer.Read(r, keyVersion);
                var n = (long)r.ReadVarInt64();
                _windows[key] = (n, AccumulatorSerializer.Read(r, accVersion));
            }
        }
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        var key = KeyOf(value);
        ref var window = ref CollectionsMarshal.GetValueRefOrAddDefault(_windows, key, out var exists);
        if (!exists)
        {
            window.Accumulator = Function.Create();
        }
        window.Accumulator = Add(window.Accumulator, value);
        if (++window.Count == count)
        {
            var acc = window.Accumulator;
            _windows.Remove(key);
            Emit(key, s_global, acc, timestamp);
        }
    }
}
