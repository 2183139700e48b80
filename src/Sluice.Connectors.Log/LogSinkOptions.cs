namespace Sluice.Connectors.Log;

/// <summary>
/// Optional settings of a <see cref="LogSink{T}"/>: how records are batched per partition, and whether output is
/// exactly-once (transactional). Immutable.
/// </summary>
public sealed record LogSinkOptions
{
    /// <summary>A partition's batch is appended once it holds this many records. Default 1000.</summary>
    public int MaxBatchRecords { get; init; } = 1000;

    /// <summary>A partition's batch is appended once its encoded size reaches this many bytes. Default 256 KiB.</summary>
    public int MaxBatchBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Longest time a record waits in a partial batch before it is appended (on the job's clock), so a quiet
    /// unbounded stream still reaches the log. <see cref="TimeSpan.Zero"/> appends every record at once. Default 100 ms.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// True (default): a record's stream timestamp becomes the log record's timestamp when it has one; records
    /// without one, and all records when false, get the log's clock at append time.
    /// </summary>
    public bool UseRecordTimestamps { get; init; } = true;

    /// <summary>
    /// True: exactly-once output through log transactions (needs checkpoints to be meaningful). Subtask <c>i</c> writes
    /// under transactional id <c>&lt;<see cref="TransactionalIdPrefix"/>&gt;-&lt;i&gt;</c>, one transaction per checkpoint
    /// interval, prepared at the barrier and committed when the checkpoint completes; read-committed consumers see
    /// each record exactly once across crashes and restores. False (default): at-least-once plain appends.
    /// </summary>
    public bool ExactlyOnce { get; init; }

    /// <summary>
    /// With <see cref="ExactlyOnce"/> (required then): the stable prefix of the writers' transactional ids, unique per
    /// job and sink and kept across restarts and rescaling (e.g. <c>"orders-job/enriched-sink"</c>). A job that starts
    /// without restoring a checkpoint must not reuse the prefix of an earlier run that committed transactions.
    /// </summary>
    public string? TransactionalIdPrefix { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    /// <exception cref="ArgumentException"><see cref="ExactlyOnce"/> is set without a <see cref="TransactionalIdPrefix"/>.</exception>
    public void Validate()
    {
        if (ExactlyOnce && string.IsNullOrWhiteSpace(TransactionalIdPrefix))
        {
            throw new ArgumentException("LogSinkOptions.ExactlyOnce needs a TransactionalIdPrefix: set a stable prefix unique to this job and sink (e.g. \"my-job/my-sink\").", nameof(TransactionalIdPrefix));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1, nameof(MaxBatchRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Linger, TimeSpan.Zero, nameof(Linger));
    }
}
