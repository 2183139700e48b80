using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Windows;

/// <summary>
/// READS ONLY the window snapshot layout written until December 2026 (window format version 1), so that those
/// checkpoints still restore; nothing writes it any more. Operator state: <c>byte 1</c>, key format (id, version),
/// accumulator format (id, version). Each key group's section: the old operator's time (zig-zag varint), then the
/// operator's entries: aligned <c>key · pane start · accumulator</c>; session <c>key · count · (start, end, fired,
/// accumulator)*</c>; count <c>key · count (varint) · accumulator</c>. The window operators convert the entries into
/// format-2 keyed state and timer payloads (<see cref="Payload"/>), which any backend restores.
/// </summary>
internal static class WindowSnapshotV1
{
    public const byte FormatVersion = 1;

    /// <summary>Checks the version-1 header; returns the key and accumulator format versions.</summary>
    /// <exception cref="StateFormatException">Another key or accumulator type.</exception>
    public static (int KeyVersion, int AccumulatorVersion) ReadHeader<TKey, TAcc>(RestoreContext restore, string operatorName)
    {
        var r = new StateReader(restore.OperatorStates[0]);
        r.ReadByte();
        var keyFormat = r.ReadString();
        var keyVersion = (int)r.ReadVarInt32();
        var accFormat = r.ReadString();
        var accVersion = (int)r.ReadVarInt32();
        var key = StateSerializers.Describe<TKey>();
        var acc = StateSerializers.Describe<TAcc>();
        if (keyFormat != key.FormatId || accFormat != acc.FormatId)
        {
            throw new StateFormatException(
                $"Window state of '{operatorName}' holds keys '{keyFormat}' and accumulators '{accFormat}', the job now uses '{key.FormatId}' and '{acc.FormatId}'.");
        }
        return (keyVersion, accVersion);
    }

    /// <summary>A restore holding the converted state <paramref name="state"/> and timers <paramref name="timers"/> (format 2, current key version).</summary>
    public static KeyedStateRestore Converted<TKey>(string operatorName, RestoredKeyedState state, RestoredTimers? timers)
    {
        var result = new KeyedStateRestore(operatorName, KeyedStateSnapshot.FormatVersion, StateSerializers.For<TKey>().Version)
        {
            Watermark = EventTime.MinWatermark,
        };
        result.States.Add(state);
        if (timers is not null)
        {
            result.Timers.Add(timers);
        }
        return result;
    }

    /// <summary>Encodes a format-2 payload: key, namespace, then what <paramref name="rest"/> writes.</summary>
    public static RestoredPayload Payload<TKey, TNamespace>(StateWriter scratch, int group, IStateSerializer<TKey> keys, TKey key,
        IStateSerializer<TNamespace> namespaces, TNamespace ns, Action<StateWriter> rest)
    {
        scratch.Reset();
        keys.Write(scratch, key);
        namespaces.Write(scratch, ns);
        rest(scratch);
        return new RestoredPayload(group, scratch.WrittenSpan.ToArray());
    }
}
