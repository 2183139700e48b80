namespace Sluice.Sources;

/// <summary>A bounded, non-parallel source over an in-memory sequence, read in order.</summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class CollectionSource<T>(IEnumerable<T> items) : ISource<T>
{
    private readonly IEnumerable<T> _items = items ?? throw new ArgumentNullException(nameof(items));

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        var start = SplitPositions.TryGetInt64(context.RestoredSplits, SplitName, out var position) ? position : 0;
        return _items switch
        {
            T[] array => new ArrayReader(array, context.BatchSize, (int)start),
            List<T> list => new ArrayReader(list.ToArray(), context.BatchSize, (int)start),
            _ => new Reader(_items.GetEnumerator(), context.BatchSize, start),
        };
    }

    private const string SplitName = "collection";

    /// <summary>Hands slices of the array downstream without copying records.</summary>
    private sealed class ArrayReader(T[] items, int batchSize, int start) : ISourceReader<T>, ICheckpointedSourceReader
    {
        private int _next = Math.Min(start, items.Length);

        public int SplitCount => 1;

        public string SplitId(int split) => SplitName;

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            var n = Math.Min(batchSize, items.Length - _next);
            output.CollectBatch(0, items.AsSpan(_next, n), default);
            _next += n;
            return _next >= items.Length ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }

    /// <summary>Enumerates the sequence; a restore skips the records emitted before the checkpoint (the sequence must repeat itself).</summary>
    private sealed class Reader(IEnumerator<T> enumerator, int batchSize, long start) : ISourceReader<T>, ICheckpointedSourceReader
    {
        private long _next;

        public int SplitCount => 1;

        public string SplitId(int split) => SplitName;

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_next);

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            for (; _next < start; _next++)
            {
                if (!enumerator.MoveNext())
                {
                    return SourceStatus.Finished;
                }
            }
            for (var i = 0; i < batchSize; i++)
            {
                if (!enumerator.MoveNext())
                {
                    return SourceStatus.Finished;
                }
                _next++;
                output.Collect(0, enumerator.Current);
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() => enumerator.Dispose();
    }
}
