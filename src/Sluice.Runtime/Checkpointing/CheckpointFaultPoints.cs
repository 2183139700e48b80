namespace Sluice.Runtime.Checkpointing;

/// <summary>
/// The hook crash tests use to stop a process at an exact point of the checkpoint protocol: the runtime calls
/// <see cref="Reach"/> at each <see cref="CheckpointPhase"/> (from the checkpoint coordinator, the task that
/// snapshots, and the job client that restores). Nothing is installed in production: <see cref="Handler"/> is null and
/// <see cref="Reach"/> is one volatile read and a null check, per checkpoint and task — never per record.
/// </summary>
/// <remarks>
/// Only test support installs a handler — <c>Sluice.Testing.CheckpointFaultInjection</c> (through
/// <c>InternalsVisibleTo</c>), which the kill harness <c>sluice chaos --fault</c> uses; the runtime ships no fault of its own.
/// A handler runs on the thread that reached the phase (a task thread, or the thread pool for the coordinator and the
/// restore) and must be thread-safe; set it before starting jobs.
/// </remarks>
internal static class CheckpointFaultPoints
{
    private static Action<CheckpointPhase, long>? s_handler;

    /// <summary>Called with the phase and the checkpoint id each time a checkpoint reaches a phase; null (the default) for nothing.</summary>
    public static Action<CheckpointPhase, long>? Handler
    {
        get => Volatile.Read(ref s_handler);
        set => Volatile.Write(ref s_handler, value);
    }

    /// <summary>Runs the installed handler, if any, for checkpoint <paramref name="checkpointId"/> at <paramref name="phase"/>.</summary>
    public static void Reach(CheckpointPhase phase, long checkpointId) => Volatile.Read(ref s_handler)?.Invoke(phase, checkpointId);
}
