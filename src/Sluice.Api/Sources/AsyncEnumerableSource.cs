using System.Threading.Channels;

namespace Sluice.Sources;

/// <summary>
/// A non-parallel source over an <see cref="IAsyncEnumerable{T}"/>; bounded when the sequence ends. Each reader
/// enumerates the sequence once on the thread pool into a bounded buffer of one batch (so it reads at most one batch
/// ahead of the job); the subtask takes what is buffered without ever blocking, and sleeps while the buffer is empty.
/// An exception thrown by the sequence fails the job when the subtask reaches it. Disposing the reader (the job ends
/// or restarts) cancels the enumeration through the token given to
/// <see cref="IAsyncEnumerable{T}.GetAsyncEnumerator"/>.
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
    public ISourceReader<T> CreateReader(SourceReaderContext context) => new Reader(_items, context);

    private sealed class Reader : ISourceReader<T>
    {
        private readonly Channel<T> _buffer;
        private readonly CancellationTokenSource _cancellation = new();
        private readonly SourceReaderContext _context;

        public Reader(IAsyncEnumerable<T> items, SourceReaderContext context)
        {
            _context = context;
            _buffer = Channel.CreateBounded<T>(new BoundedChannelOptions(Math.Max(1, context.BatchSize))
            {
                SingleReader = true,
                SingleWriter = true,
            });
            _ = PumpAsync(items);
        }

        public int SplitCount => 1;

        private async Task PumpAsync(IAsyncEnumerable<T> items)
        {
            // Start on the pool, never on the thread that creates the reader (the subtask's).
            await Task.Yield();
            Exception? error = null;
            try
            {
                await foreach (var item in items.WithCancellation(_cancellation.Token).ConfigureAwait(false))
                {
                    await _buffer.Writer.WriteAsync(item, _cancellation.Token).ConfigureAwait(false);
                    if (_buffer.Reader.Count == 1)
                    {
                        _context.SignalAvailable(); // The subtask may be asleep on an empty buffer.
                    }
                }
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                error = e;
            }
            _buffer.Writer.TryComplete(error);
            _context.SignalAvailable();
        }

        public SourceStatus PollNext(ISourceOutput<T> output)
        {
            var reader = _buffer.Reader;
            for (var i = 0; i < _context.BatchSize; i++)
            {
                if (!reader.TryRead(out var item))
                {
                    if (reader.Completion.IsCompleted)
                    {
                        // Completed with the sequence's exception: rethrow it on the subtask's thread.
                        reader.Completion.Exception?.InnerException?.Rethrow();
                        return SourceStatus.Finished;
                    }
                    return i == 0 ? SourceStatus.NothingAvailable : SourceStatus.MoreAvailable;
                }
                output.Collect(0, item);
            }
            return SourceStatus.MoreAvailable;
        }

        public void Dispose()
        {
            // Cancels the enumeration; the pump disposes the enumerator asynchronously as its await foreach ends.
            // The source is not disposed: the pump may still read its token while it winds down.
            _cancellation.Cancel();
        }
    }
}

file static class ExceptionRethrow
{
    public static void Rethrow(this Exception error) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
}
