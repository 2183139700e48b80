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

    /// <summary>Generates its share of indexes; the position is the count it emitted (<see cref="PacedIndexReader{T}"/>).</summary>
    private sealed class Reader(RateSource<T> source, SourceReaderContext context)
        : PacedIndexReader<T>(context, source._recordsPerSecond, source._count, RestoredEmitted(context))
    {
        public override string SplitId(int split) => SplitIdOf(Context);

        public override byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(Emitted);

        protected override T Generate(long index, long nowMs, long dueAtMs, out long timestamp)
        {
            timestamp = dueAtMs;
            return source._generator(index);
        }

        private static string SplitIdOf(SourceReaderContext context) => $"rate-{context.SubtaskIndex}-of-{context.Parallelism}";

        private static long RestoredEmitted(SourceReaderContext context) =>
            SplitPositions.TryGetInt64(context.RestoredSplits, SplitIdOf(context), out var emitted) ? emitted : 0;
    }
}
