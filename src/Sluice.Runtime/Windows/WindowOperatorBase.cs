using Sluice.Graph;
using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Transport;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Windows;

/// <summary>
/// What every window operator shares: key extraction, the window function, emitting results with the window's
/// max timestamp, and the late-record policy (side output when configured, otherwise counted as dropped — never
/// silently lost).
/// </summary>
internal abstract class WindowOperatorBase<TKey, TIn, TAcc, TOut> : StreamOperator, IInput<TIn> where TKey : notnull
{
    private readonly OutputTag<TIn>? _lateTag;
    private KeyValuePair<string, object?> _operatorTag;

    private const byte FormatVersion = 1;

    protected WindowOperatorBase(KeySpec<TIn, TKey> key, WindowFunction<TKey, TIn, TAcc, TOut> function, OutputTag<TIn>? lateTag, Output<TOut> output)
    {
        KeySelector = key.Selector;
        KeyHasher = key.Hasher;
        Function = function;
        _lateTag = lateTag;
        Output = output;
        Collector = new TimestampedCollector<TOut>(output);
        Downstream = output;
    }

    protected Func<TIn, TKey> KeySelector { get; }

    protected IKeyHasher<TKey> KeyHasher { get; }

    protected IStateSerializer<TKey> KeySerializer { get; } = StateSerializers.For<TKey>();

    protected IStateSerializer<TAcc> AccumulatorSerializer { get; } = StateSerializers.For<TAcc>();

    /// <summary>The key group of <paramref name="key"/>.</summary>
    protected int KeyGroupOf(TKey key) => Sluice.KeyGroups.Assign(KeyHasher.Hash(key), Context.Options.KeyGroupCount);

    /// <summary>
    /// The section of <paramref name="key"/>'s key group; a new section starts with <paramref name="time"/>, the
    /// operator's time at the snapshot, so a restore knows which windows already fired for those keys.
    /// </summary>
    protected StateWriter SectionFor(SnapshotContext context, TKey key, long time)
    {
        var writer = context.KeyGroup(KeyGroupOf(key));
        if (writer.Length == 0)
        {
            writer.WriteZigZagInt64(time);
        }
        return writer;
    }

    /// <summary>Writes the header every window snapshot carries: format version and the key and accumulator formats.</summary>
    protected void WriteHeader(SnapshotContext context)
    {
        var w = context.OperatorState;
        w.WriteByte(FormatVersion);
        var key = StateSerializers.Describe<TKey>();
        var acc = StateSerializers.Describe<TAcc>();
        w.WriteString(key.FormatId);
        w.WriteVarInt32((uint)key.Version);
        w.WriteString(acc.FormatId);
        w.WriteVarInt32((uint)acc.Version);
    }

    /// <summary>Checks the header of a restored snapshot; returns the key and accumulator format versions.</summary>
    /// <exception cref="StateFormatException">Another version, key type or accumulator type.</exception>
    protected (int KeyVersion, int AccumulatorVersion) ReadHeader(RestoreContext restore)
    {
        if (restore.OperatorStates.Count == 0)
        {
            return (StateSerializers.Describe<TKey>().Version, StateSerializers.Describe<TAcc>().Version);
        }
        var r = new StateReader(restore.OperatorStates[0]);
        var version = r.ReadByte();
        if (version != FormatVersion)
        {
            throw new StateFormatException($"Window state of '{Context.OperatorName}' has format version {version}; this release reads version {FormatVersion}.");
        }
        var keyFormat = r.ReadString();
        var keyVersion = (int)r.ReadVarInt32();
        var accFormat = r.ReadString();
        var accVersion = (int)r.ReadVarInt32();
        if (keyFormat != StateSerializers.Describe<TKey>().FormatId || accFormat != StateSerializers.Describe<TAcc>().FormatId)
        {
            throw new StateFormatException(
                $"Window state of '{Context.OperatorName}' holds keys '{keyFormat}' and accumulators '{accFormat}', the job now uses '{StateSerializers.Describe<TKey>().FormatId}' and '{StateSerializers.Describe<TAcc>().FormatId}'.");
        }
        return (keyVersion, accVersion);
    }

    protected WindowFunction<TKey, TIn, TAcc, TOut> Function { get; }

    protected Output<TOut> Output { get; }

    protected TimestampedCollector<TOut> Collector { get; }

    /// <summary>Records routed to the late side output or dropped as late.</summary>
    public override long LateRecordCount => _late;

    private long _late;

    public override void Open() => _operatorTag = new("operator", Context.OperatorName);

    public abstract void ProcessElement(TIn value, long timestamp);

    protected TKey KeyOf(TIn value)
    {
        TKey key;
        try
        {
            key = KeySelector(value);
        }
        catch (Exception e)
        {
            throw UserFailure("extracting the key", value, e);
        }
        return key ?? throw UserFailure("extracting the key", value, new InvalidOperationException("The key selector returned null; keys must not be null."));
    }

    protected long RequireTimestamp(TIn value, long timestamp) => timestamp != EventTime.NoTimestamp
        ? timestamp
        : throw UserFailure("assigning windows", value, new InvalidOperationException(
            "The record has no event timestamp. Give the source a WatermarkStrategy with a timestamp assigner, or use processing-time windows."));

    protected TAcc Add(TAcc accumulator, TIn value)
    {
        try
        {
            return Function.Add(accumulator, value);
        }
        catch (Exception e)
        {
            throw UserFailure("adding to a window", value, e);
        }
    }

    protected void Emit(TKey key, TimeWindow window, TAcc accumulator, long timestamp)
    {
        Collector.Timestamp = timestamp;
        try
        {
            Function.Emit(key, window, accumulator, Collector);
        }
        catch (JobExecutionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw UserFailure($"evaluating window {window} of key {key}", null, e);
        }
    }

    protected void Late(TIn value, long timestamp)
    {
        _late++;
        if (_lateTag is not null)
        {
            Output.EmitSide(_lateTag, value, timestamp);
        }
        else
        {
            SluiceMetrics.DroppedRecords.Add(1, _operatorTag, new("reason", "late"));
        }
    }
}
