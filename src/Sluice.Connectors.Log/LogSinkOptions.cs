namespace Sluice.Connectors.Log;

/// <summary>Optional settings of a <see cref="LogSink{T}"/>: how records are batched per partition. Immutable.</summary>
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

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1, nameof(MaxBatchRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Linger, TimeSpan.Zero, nameof(Linger));
    }
}
