namespace Sluice.Sources;

/// <summary>
/// The reader of a generating source paced at a steady rate by the job's <see cref="TimeProvider"/>: subtask <c>s</c>
/// of <c>p</c> makes the records of indexes <c>s, s+p, s+2p, …</c> below the count, at <c>rate/p</c>, at most a batch
/// per poll. Its position is the number of records it emitted; its one split's id includes the parallelism, so a
/// restore with another parallelism starts over. Subclasses say how a record is made and how the position is encoded.
/// Single-threaded, like every reader.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
internal abstract class PacedIndexReader<T> : ISourceReader<T>, ICheckpointedSourceReader
{
    private readonly SourceReaderContext _context;
    private readonly SourceRatePacer _pacer;
    private readonly long _count;
    private long _nextIndex;

    /// <param name="context">The subtask's context.</param>
    /// <param name="recordsPerSecond">The total rate over all subtasks; positive.</param>
    /// <param name="count">Total records over all subtasks; <see cref="long.MaxValue"/> when unbounded.</param>
    /// <param name="emitted">Records this subtask emitted before (restored), else 0.</param>
    protected PacedIndexReader(SourceReaderContext context, double recordsPerSecond, long count, long emitted)
    {
        _context = context;
        _count = count;
        Emitted = emitted;
        _nextIndex = context.SubtaskIndex + (emitted * context.Parallelism);
        _pacer = new SourceRatePacer(recordsPerSecond / context.Parallelism, context, emitted);
    }

    /// <summary>Records this subtask emitted: its position.</summary>
    protected long Emitted { get; private set; }

    /// <summary>The subtask's context.</summary>
    protected SourceReaderContext Context => _context;

    /// <inheritdoc />
    public int SplitCount => 1;

    /// <inheritdoc />
    public abstract string SplitId(int split);

    /// <inheritdoc />
    public abstract byte[] SnapshotSplit(int split);

    /// <summary>Makes the record of <paramref name="index"/>, due at <paramref name="dueAtMs"/> and made at <paramref name="nowMs"/>, and its timestamp.</summary>
    protected abstract T Generate(long index, long nowMs, long dueAtMs, out long timestamp);

    /// <inheritdoc />
    public SourceStatus PollNext(ISourceOutput<T> output)
    {
        var now = _pacer.NowMs;
        var due = _pacer.DueBy(now);
        var n = Math.Min(due - Emitted, _context.BatchSize);
        for (var i = 0; i < n && _nextIndex < _count; i++)
        {
            var record = Generate(_nextIndex, now, _pacer.DueAtMs(Emitted), out var timestamp);
            output.Collect(0, record, timestamp);
            _nextIndex += _context.Parallelism;
            Emitted++;
        }
        if (_nextIndex >= _count)
        {
            return SourceStatus.Finished;
        }
        if (Emitted < due)
        {
            return SourceStatus.MoreAvailable;
        }
        _pacer.WakeWhenDue(Emitted, now);
        return SourceStatus.NothingAvailable;
    }

    /// <inheritdoc />
    public void Dispose() => _pacer.Dispose();
}
