namespace Sluice.Sources;

/// <summary>
/// A non-parallel source over an <see cref="IAsyncEnumerable{T}"/>; bounded when the sequence ends. The sequence is
/// enumerated once, on the subtask's thread; while it awaits, the subtask sleeps until the next item is ready.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public sealed class AsyncEnumerableSource<T>(IAsyncEnumerable<T> items, bool isBounded = true) : ISource<T>
{
    private readonly IAsyncEnumerable<T> _items = items ?? throw new ArgumentNullException(nameof(items));

    /// <inheritdoc />
    public bool IsBounded { get; } = isBounded;

    /// <inheritdoc />
    public int MaxParallelism => 1;

    /// <inheritdoc />
    public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(_items.GetAsyncEnumerator(), context);

    private sealed class Reader(IAsyncEnumerator<T> enumerator, SourceReaderContext context) : ISourceReader<T>
    {
        private Task<bool>? _pending;

        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            for (var i = 0; i < context.BatchSize; i++)
            {
                bool hasNext;
                if (_pending is not null)
                {
                    if (!_pending.IsCompleted)
                    {
                        return SourceStatus.NothingAvailable;
                    }
                    hasNext = _pending.GetAwaiter().GetResult();
                    _pending = null;
                }
                else
                {
                    var next = enumerator.MoveNextAsync();
                    if (!next.IsCompleted)
                    {
                        _pending = next.AsTask();
                        _pending.ContinueWith(static (_, signal) => ((Action)signal!)(), context.SignalAvailable, TaskScheduler.Default);
                        return SourceStatus.NothingAvailable;
                    }
                    hasNext = next.GetAwaiter().GetResult();
                }
                if (!hasNext)
                {
                    return SourceStatus.Finished;
                }
                output.Collect(0, enumerator.Current);
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose() => enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
