using Sluice.Nexmark.Model;
using Sluice.Sources;

namespace Sluice.Nexmark.Streaming;

/// <summary>
/// A parallel, bounded source over pre-generated events. Subtask <c>s</c> of <c>p</c> reads blocks
/// <c>s, s+p, s+2p, …</c> of <see cref="BlockSize"/> events, so every subtask advances through event time at the same
/// pace (its watermark never holds the others back for long). Each record carries its event time as timestamp, read
/// per block into a buffer the reader reuses — inside the measured time, without allocating per run.
/// </summary>
public sealed class EventArraySource : ISource<Event>
{
    /// <summary>Events per block handed to one subtask.</summary>
    public const int BlockSize = 1024;

    private readonly Event[] _events;

    /// <summary>Creates the source; the array is read, never modified.</summary>
    public EventArraySource(Event[] events) => _events = events ?? throw new ArgumentNullException(nameof(events));

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISourceReader<Event> CreateReader(SourceReaderContext context) => new Reader(_events, context);

    private static string SplitIdOf(SourceReaderContext context) => $"nexmark-{context.SubtaskIndex}-of-{context.Parallelism}";

    private sealed class Reader(Event[] events, SourceReaderContext context) : ISourceReader<Event>, ICheckpointedSourceReader
    {
        private readonly long[] _timestamps = new long[BlockSize];

        private long _block = SplitPositions.TryGetInt64(context.RestoredSplits, SplitIdOf(context), out var position) ? position : context.SubtaskIndex;

        public string SplitId(int split) => SplitIdOf(context);

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_block);

        public int SplitCount => 1;

        public SourceStatus PollNext(ISourceOutput<Event> output)
        {
            var start = _block * BlockSize;
            if (start >= events.LongLength)
            {
                return SourceStatus.Finished;
            }
            var block = events.AsSpan((int)start, (int)(Math.Min(events.LongLength, start + BlockSize) - start));
            var timestamps = _timestamps.AsSpan(0, block.Length);
            for (var i = 0; i < block.Length; i++)
            {
                timestamps[i] = block[i].DateTime;
            }
            output.CollectBatch(0, block, timestamps);
            _block += context.Parallelism;
            return _block * BlockSize >= events.LongLength ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}
