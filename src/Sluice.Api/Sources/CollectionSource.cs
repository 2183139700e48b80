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
    public ISourceReader<T> CreateReader(SourceReaderContext context) => _items switch
    {
        T[] array => new ArrayReader(array, context.BatchSize),
        List<T> list => new ArrayReader(list.ToArray(), context.BatchSize),
        _ => new Reader(_items.GetEnumerator(), context.BatchSize),
    };

    /// <summary>Hands slices of the array downstream without copying records.</summary>
    private sealed class ArrayReader(T[] items, int batchSize) : ISourceReader<T>
    {
        private int _next;

        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            var n = Math.Min(batchSize, items.Length - _next);
            output.CollectBatch(0, items.AsSpan(_next, n), default);
            _next += n;
            return _next >= items.Length ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }

    private sealed class Reader(IEnumerator<T> enumerator, int batchSize) : ISourceReader<T>
    {
        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            for (var i = 0; i < batchSize; i++)
            {
                if (!enumerator.MoveNext())
                {
                    return SourceStatus.Finished;
                }
                output.Collect(0, enumerator.Current);
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() => enumerator.Dispose();
    }
}
