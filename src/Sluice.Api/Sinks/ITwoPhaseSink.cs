namespace Sluice.Sinks;

/// <summary>
/// A sink with exactly-once output: writes are staged and become visible only when the checkpoint that covers them
/// completes. Protocol per writer: on barrier <c>n</c> the runtime calls <see cref="ITwoPhaseSinkWriter{T}.PrepareCommit"/>,
/// which stages everything written since the previous barrier and returns a <em>committable</em> (the sink's own
/// bytes: staged file names, a transaction id…), stored in checkpoint <c>n</c>; once checkpoint <c>n</c> is complete,
/// <see cref="ITwoPhaseCommitter.Commit"/> publishes it. On restore, the committables of the restored checkpoint are committed again and
/// <see cref="ITwoPhaseCommitter.AbortPending"/> discards staged work of later, never-completed checkpoints — so both methods must be
/// idempotent.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ITwoPhaseSink<T> : ISink<T>, ITwoPhaseCommitter;

/// <summary>The commit side of a <see cref="ITwoPhaseSink{T}"/>, independent of the record type.</summary>
public interface ITwoPhaseCommitter
{
    /// <summary>
    /// Tells the committer which job it serves: called by the runtime at the start of every attempt of the job,
    /// before <see cref="AbortPending"/> and any <see cref="Commit"/> of that attempt, from the thread starting the
    /// attempt. A committer keeps what it needs (a logger) for the calls that follow. The default ignores it.
    /// </summary>
    /// <param name="context">The job's identity and logger factory.</param>
    void Open(CommitterContext context)
    {
    }

    /// <summary>
    /// Makes a committable's staged work visible. Called from the checkpoint coordinator's thread (never concurrently
    /// with itself for the same subtask), after the checkpoint's manifest is durable — or, in a job without checkpoints,
    /// from the subtask's thread at the end of its input; must be idempotent.
    /// </summary>
    /// <remarks>
    /// An empty committable means "nothing staged": the runtime never passes one (neither the coordinator, nor the
    /// end-of-input commit of a job without checkpoints, where a subtask that received no records prepares an empty
    /// one). Implementations must still treat an empty array as a no-op rather than fail, so that every sink behaves
    /// the same when called directly.
    /// </remarks>
    /// <param name="checkpointId">The checkpoint that covers the committable (0 for the end-of-input commit without checkpoints).</param>
    /// <param name="subtaskIndex">The subtask that prepared it.</param>
    /// <param name="committable">What <see cref="ITwoPhaseSinkWriter{T}.PrepareCommit"/> returned; non-empty when the runtime calls.</param>
    void Commit(long checkpointId, int subtaskIndex, byte[] committable);

    /// <summary>
    /// Before writers start: discards staged work of checkpoints after <paramref name="restoredCheckpointId"/> (0 when
    /// starting fresh), for all subtasks of any earlier parallelism. Must be idempotent.
    /// </summary>
    void AbortPending(long restoredCheckpointId);
}

/// <summary>The writer of a <see cref="ITwoPhaseSink{T}"/>.</summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ITwoPhaseSinkWriter<T> : ISinkWriter<T>
{
    /// <summary>
    /// Stages everything written since the previous call (or since the writer opened) for checkpoint
    /// <paramref name="checkpointId"/> and returns the committable; returns an empty array when nothing was written
    /// (the runtime then stores nothing and does not call <see cref="ITwoPhaseCommitter.Commit"/> for it).
    /// Called on the writer's thread at the checkpoint barrier and once more at the end of input (the final checkpoint).
    /// </summary>
    byte[] PrepareCommit(long checkpointId);
}

/// <summary>What a <see cref="ITwoPhaseCommitter"/> knows of the job it serves (<see cref="ITwoPhaseCommitter.Open"/>).</summary>
/// <param name="OperatorName">The sink's display name.</param>
/// <param name="JobName">The job's name.</param>
/// <param name="JobId">The id of the job's run.</param>
/// <param name="LoggerFactory">The job's <see cref="JobOptions.LoggerFactory"/>; thread-safe.</param>
public sealed record CommitterContext(string OperatorName, string JobName, JobId JobId, Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory)
{
    /// <summary>
    /// The sink's stable uid: the one set with <c>Uid(...)</c>, else derived from its position and name in the plan
    /// (stable while the job's graph is). Unlike <see cref="OperatorName"/> it identifies the sink across renames, so it
    /// suits ids that must survive restarts (a Delta <c>txn</c> appId). Defaults to <see cref="OperatorName"/>.
    /// </summary>
    public string OperatorUid { get; init; } = OperatorName;
}
