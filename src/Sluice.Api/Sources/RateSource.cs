namespace Sluice.Sources;

/// <summary>
/// Generates records at a steady rate from a function of the record's index (0, 1, 2, …), paced by the job's
/// <see cref="TimeProvider"/> (so a virtual clock drives it in tests). Parallel: subtask <c>s</c> of <c>p</c> generates
/// indexes <c>s, s+p, s+2p, …</c> at <c>rate/p</c>. Records carry the processing time of their scheduled emission as
/// timestamp. Bounded when <c>count</c> is given.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class RateSource<T> : ISource<T>
{
    private readonly double _recordsPerSecond;
    private readonly Func<long, T> _generator;
    private readonly long _count;

    /// <summary>Creates the source.</summary>
    /// <param name="recordsPerSecond">Total rate over all subtasks; must be positive.</param>
    /// <param name="generator">Makes the record with a given index; called on the subtask thread.</param>
    /// <param name="count">Total records to generate, or null for an unbounded source.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not positive or the count is negative.</exception>
    public RateSource(double recordsPerSecond, Func<long, T> generator, long? count = null)
    {
        if (!(recordsPerSecond > 0) || double.IsInfinity(recordsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecond), recordsPerSecond, "The rate must be a positive number of records per second.");
        }
        ArgumentNullException.ThrowIfNull(generator);
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
        }
        _recordsPerSecond = recordsPerSecond;
        _generator = generator;
        _count = count ?? long.MaxValue;
    }

    /// <inheritdoc />
    public bool IsBounded => _count != long.MaxValue;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(this, context);

    /// <summary>
    /// Generates its share of indexes; the position is the count it emitted. Split ids include the parallelism, so a
    /// restore with another parallelism starts the generator over.
    /// </summary>
    private sealed class Reader : ISourceReader<T>, ICheckpointedSourceReader
    {
        private readonly RateSource<T> _source;
        private readonly SourceReaderContext _context;
        private readonly SourceRatePacer _pacer;
        private long _nextIndex;
        private long _emitted;

        public Reader(RateSource<T> source, SourceReaderContext context)
        {
            _source = source;
            _context = context;
            _nextIndex = context.SubtaskIndex;
            if (SplitPositions.TryGetInt64(context.RestoredSplits, SplitId(0), out var emitted))
            {
                _emitted = emitted;
                _nextIndex += _emitted * context.Parallelism;
            }
            _pacer = new SourceRatePacer(source._recordsPerSecond / context.Parallelism, context, _emitted);
        }

        public int SplitCount => 1;

        public string SplitId(int split) => $"rate-{_context.SubtaskIndex}-of-{_context.Parallelism}";

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_emitted);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            var now = _pacer.NowMs;
            var due = _pacer.DueBy(now);
            var n = Math.Min(due - _emitted, _context.BatchSize);
            for (var i = 0; i < n && _nextIndex < _source._count; i++)
            {
                output.Collect(0, _source._generator(_nextIndex), _pacer.DueAtMs(_emitted));
                _nextIndex += _context.Parallelism;
                _emitted++;
            }
            if (_nextIndex >= _source._count)
            {
                return SourceStatus.Finished;
            }
            if (_emitted < due)
            {
                return SourceStatus.MoreAvailable;
            }
            _pacer.WakeWhenDue(_emitted, now);
            return SourceStatus.NothingAvailable;
        }

        public void Dispose() => _pacer.Dispose();
    }
}
