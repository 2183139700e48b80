using Sluice.Nexmark.Model;
using Sluice.Sources;

namespace Sluice.Nexmark.Streaming;

/// <summary>
/// A parallel, bounded source over pre-generated events. Subtask <c>s</c> of <c>p</c> reads blocks
/// <c>s, s+p, s+2p, …</c> of <see cref="BlockSize"/> events, so every subtask advances through event time at the same
/// pace (its watermark never holds the others back for long). Each record carries its event time as timestamp.
/// </summary>
public sealed class EventArraySource : ISource<Event>
{
    /// <summary>Events per block handed to one subtask.</summary>
    public const int BlockSize = 1024;

    private readonly Event[] _events;
    private readonly long[] _timestamps;

    /// <summary>Creates the source; the array is read, never modified. Event times are extracted once, as a log keeps them in record metadata.</summary>
    public EventArraySource(Event[] events)
    {
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _timestamps = Array.ConvertAll(events, static e => e.DateTime);
    }

    /// <inheritdoc />
    public bool IsBounded => true;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISourceReader<Event> CreateReader(SourceReaderContext context) => new Reader(_events, _timestamps, context);

    private static string SplitIdOf(SourceReaderContext context) => $"nexmark-{context.SubtaskIndex}-of-{context.Parallelism}";

    private sealed class Reader(Event[] events, long[] timestamps, SourceReaderContext context) : ISourceReader<Event>, ICheckpointedSourceReader
    {
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
            var end = Math.Min(events.LongLength, start + BlockSize);
            output.CollectBatch(0, events.AsSpan((int)start, (int)(end - start)), timestamps.AsSpan((int)start, (int)(end - start)));
            _block += context.Parallelism;
            return _block * BlockSize >= events.LongLength ? SourceStatus.Finished : SourceStatus.MoreAvailable;
        }

        public void Dispose() { }
    }
}
