using Sluice.Nexmark.Generation;
using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Nexmark;

/// <summary>
/// A replayable source of Nexmark events as rows of <see cref="NexmarkSchema.Table"/> (or
/// <see cref="NexmarkSchema.Physical"/>), each with its event time as
/// timestamp: emitted as fast as the job takes them (the reference connector's default), or, when rate-limited, at the
/// events' rate on the job's clock. Parallel:
/// subtask <c>s</c> of <c>p</c> emits events <c>s, s+p, s+2p, …</c>; an event is a pure function of its number and the
/// settings, so the position is the count a reader emitted. Bounded when the settings give an event count.
/// </summary>
internal sealed class NexmarkSource(NexmarkGenerator generator, long eventCount, bool rateLimited, bool physicalOnly = false) : ISource<Row>
{
    /// <summary>Whether rows are of <see cref="NexmarkSchema.Physical"/> (no <c>dateTime</c> column).</summary>
    public bool PhysicalOnly { get; } = physicalOnly;

    /// <summary>Total events over all subtasks; <see cref="long.MaxValue"/> when unbounded.</summary>
    public long EventCount { get; } = eventCount;

    /// <summary>The generator the rows come from.</summary>
    public NexmarkGenerator Generator { get; } = generator;

    /// <summary>Whether events are emitted at <see cref="GeneratorConfig.EventsPerSecond"/> of processing time.</summary>
    public bool RateLimited { get; } = rateLimited;

    /// <inheritdoc />
    public bool IsBounded => EventCount != long.MaxValue;

    /// <inheritdoc />
    public int MaxParallelism => 0;

    /// <inheritdoc />
    public ISourceReader<Row> CreateReader(SourceReaderContext context) => new Reader(this, context);

    /// <summary>Emits its share of event numbers; split ids include the parallelism, so a restore with another parallelism starts over.</summary>
    private sealed class Reader : ISourceReader<Row>, ICheckpointedSourceReader
    {
        private readonly NexmarkSource _source;
        private readonly SourceReaderContext _context;
        private readonly SourceRatePacer? _pacer;
        private long _next;
        private long _emitted;

        public Reader(NexmarkSource source, SourceReaderContext context)
        {
            _source = source;
            _context = context;
            if (SplitPositions.TryGetInt64(context.RestoredSplits, SplitId(0), out var emitted))
            {
                _emitted = emitted;
            }
            _next = context.SubtaskIndex + (_emitted * context.Parallelism);
            if (source.RateLimited)
            {
                _pacer = new SourceRatePacer((double)source.Generator.Config.EventsPerSecond / context.Parallelism, context, _emitted);
            }
        }

        public int SplitCount => 1;

        public string SplitId(int split) => $"nexmark-{_context.SubtaskIndex}-of-{_context.Parallelism}";

        public byte[] SnapshotSplit(int split) => SplitPositions.FromInt64(_emitted);

        public SourceStatus PollNext(ISourceOutput<Row> output)
        {
            var generator = _source.Generator;
            var now = _pacer?.NowMs ?? 0;
            var due = _pacer?.DueBy(now) ?? long.MaxValue;
            var n = Math.Min(due - _emitted, _context.BatchSize);
            for (var i = 0; i < n && _next < _source.EventCount; i++)
            {
                var e = generator.Next(_next);
                output.Collect(0, _source.PhysicalOnly ? NexmarkSchema.ToPhysicalRow(e) : NexmarkSchema.ToRow(e), e.DateTime);
                _next += _context.Parallelism;
                _emitted++;
            }
            if (_next >= _source.EventCount)
            {
                return SourceStatus.Finished;
            }
            if (_emitted < due)
            {
                return SourceStatus.MoreAvailable;
            }
            _pacer!.WakeWhenDue(_emitted, now);
            return SourceStatus.NothingAvailable;
        }

        public void Dispose() => _pacer?.Dispose();
    }
}
