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
    public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(_items.GetEnumerator(), context.BatchSize);

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
