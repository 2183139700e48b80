using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Operators;

/// <summary>
/// What every keyed operator owns: the keyed state backend of its key groups and its timer services, created in
/// <see cref="Open"/> (restored first when the job restores) and snapshotted together in <see cref="SnapshotState"/>.
/// Process functions build on it through <see cref="KeyedOperatorBase{TKey, TOut}"/>; windows and the interval join
/// use it directly. See docs/adding-an-operator.md.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal abstract class KeyedStreamOperator<TKey> : StreamOperator, IKeyedStateInspection where TKey : notnull
{
    protected KeyedStreamOperator(IKeyHasher<TKey> hasher) => KeyHasher = hasher;

    protected IKeyHasher<TKey> KeyHasher { get; }

    /// <summary>The operator's keyed state: created in <see cref="Open"/>, restored before subclasses create states.</summary>
    protected IKeyedStateBackend<TKey> Backend { get; private set; } = null!;

    /// <summary>The operator's timer services, checkpointed per key group with the state.</summary>
    protected TimerServiceManager<TKey> Timers { get; private set; } = null!;

    /// <summary>Live timers in both domains.</summary>
    public int TimerCount => (int)(Timers?.Count ?? 0);

    /// <summary>Live state entries over all states.</summary>
    public int StateEntryCount => (int)(Backend?.EntryCount ?? 0);

    /// <summary>Creates (and on a restore, restores) the backend and timers; subclasses then create their states and timer services.</summary>
    public override void Open()
    {
        Backend = KeyedStateBackends.Create(Context, Uid, KeyHasher);
        Timers = new TimerServiceManager<TKey>(Backend, Context.RequestProcessingTime);
        if (Context.Restore is { } restore && ReadRestore(restore) is { } keyed)
        {
            Backend.Restore(keyed);
            Timers.Restore(keyed);
            CurrentWatermark = keyed.Watermark;
        }
    }

    /// <summary>
    /// Reads the restored keyed state (null when there is none). An operator whose older releases wrote another layout
    /// overrides this to convert it; the result is what the backend and timers restore from.
    /// </summary>
    protected virtual KeyedStateRestore? ReadRestore(RestoreContext restore) =>
        KeyedStateSnapshot.Parse(restore, StateSerializers.For<TKey>(), Context.OperatorName);

    /// <summary>
    /// Freezes state and timers (the synchronous phase: no copying, no serialization) and defers writing them —
    /// entries into key groups, then the header into operator state, then <see cref="WriteTrailer"/>'s bookkeeping
    /// (captured now) — to the asynchronous phase.
    /// </summary>
    public override void SnapshotState(SnapshotContext context)
    {
        var state = Backend.Snapshot(context.CheckpointId);
        var timers = Timers.Snapshot();
        var headers = new KeyedSnapshotWriter(StateSerializers.Describe<TKey>(), CurrentWatermark);
        var trailer = new StateWriter(16);
        WriteTrailer(trailer);
        context.Defer(() =>
        {
            using (state)
            using (timers)
            {
                state.Write(headers, context);
                timers.Write(headers, context);
                headers.WriteHeader(context.OperatorState);
                context.OperatorState.WriteRaw(trailer.WrittenSpan);
            }
        });
    }

    /// <summary>Per-operator bookkeeping written after the keyed header (read back from <see cref="KeyedStateRestore.Trailers"/>); task thread, at the snapshot point.</summary>
    protected virtual void WriteTrailer(StateWriter operatorState) { }

    /// <summary>Tells the backend (an incremental RocksDB backend reuses the files of the last completed checkpoint).</summary>
    public override void NotifyCheckpointComplete(long checkpointId) => Backend.NotifyCheckpointComplete(checkpointId);

    public override void Close() => Backend?.Dispose();
}
