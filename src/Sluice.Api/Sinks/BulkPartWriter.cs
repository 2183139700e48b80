namespace Sluice.Sinks;

/// <summary>
/// Makes the writers of a bulk format (Parquet) for a <see cref="PartFileSink{T}"/>: a format whose file cannot be
/// appended to once closed, because it ends with a footer written when the file is finished. Thread-safe (one factory
/// serves every writer of the sink).
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal interface IBulkPartWriterFactory<T>
{
    /// <summary>Starts a part file in <paramref name="output"/> (writable, seekable, at its start; owned by the caller).</summary>
    IBulkPartWriter<T> Create(Stream output);

    /// <summary>
    /// The factory one sink writer (subtask) uses, on its thread: this one, or one that keeps the writer's state across
    /// its part files (the layout of evolving rows, see <see cref="IBulkPartWriter{T}.Accepts"/>).
    /// </summary>
    IBulkPartWriterFactory<T> ForWriter(SinkContext context) => this;
}

/// <summary>
/// Writes the records of one part file of a bulk format: it buffers them (row groups) and writes the footer in
/// <see cref="Finish"/>, after which the file is complete and immutable. Used on one sink writer's thread only.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal interface IBulkPartWriter<T> : IDisposable
{
    /// <summary>The file's size so far in bytes, buffered records included as an estimate; drives size-based rolling.</summary>
    long EstimatedSize { get; }

    /// <summary>Adds a record. Throws on a value the format cannot hold, naming the field (the job fails).</summary>
    void Write(T value);

    /// <summary>
    /// Whether <paramref name="value"/> can go into this file; false when it needs a file of another layout (rows whose
    /// schema gained a column): the sink then rolls this file and writes the value into a new one.
    /// </summary>
    /// <exception cref="InvalidDataException">The value can go into no file (an incompatible schema change), naming the field.</exception>
    bool Accepts(T value) => true;

    /// <summary>Writes what is buffered and the footer; the stream is not flushed to disk or closed (the caller does both). Idempotent.</summary>
    void Finish();
}

/// <summary>
/// When a bucket's in-progress part file rolls to a new one, as Flink's <c>DefaultRollingPolicy</c>: when its size
/// reaches <see cref="FileSize"/> bytes, or when it is older than <see cref="RolloverInterval"/> (processing time, the
/// sink context's clock, looked at on a write at most once per <see cref="CheckInterval"/>). Every checkpoint also
/// finishes every file (rolled or not), so rolling never delays a commit. Immutable.
/// </summary>
/// <param name="FileSize">The size in bytes at which a file rolls (<c>sink.rolling-policy.file-size</c>, default 128 MB).</param>
/// <param name="RolloverInterval">The age at which a file rolls (<c>sink.rolling-policy.rollover-interval</c>, default 30 min).</param>
/// <param name="CheckInterval">How often the age of the open files is looked at (<c>sink.rolling-policy.check-interval</c>, default 1 min).</param>
internal sealed record PartFileRollingPolicy(long FileSize, TimeSpan RolloverInterval, TimeSpan CheckInterval)
{
    /// <summary>Flink's defaults: 128 MB, 30 min, checked every minute.</summary>
    public static PartFileRollingPolicy Default { get; } = new(128L << 20, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1));
}
