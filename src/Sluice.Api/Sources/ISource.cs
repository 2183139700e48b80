using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.Sources;

/// <summary>What a source reader returned from one poll.</summary>
public enum SourceStatus
{
    /// <summary>Records were emitted and more are available now: poll again.</summary>
    MoreAvailable,

    /// <summary>Nothing available now: the reader calls <see cref="SourceReaderContext.SignalAvailable"/> when that changes.</summary>
    NothingAvailable,

    /// <summary>The reader's input has ended (bounded sources): no further polls.</summary>
    Finished,
}

/// <summary>
/// A source of records. The runtime creates one <see cref="ISourceReader{T}"/> per parallel subtask; the source
/// decides which of its splits (partitions, files) each subtask reads from the subtask index and parallelism. The
/// runtime disposes each reader when its task ends (finished, failed or cancelled); a source that is
/// <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/> is disposed once, when the job has ended for good
/// (restarts reuse it), before the job's completion is reported.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ISource<T>
{
    /// <summary>True when the input ends (file, collection); the job then finishes after draining.</summary>
    bool IsBounded { get; }

    /// <summary>The largest useful parallelism (1 for a non-parallel source); 0 = unlimited.</summary>
    int MaxParallelism { get; }

    /// <summary>Creates the reader of one subtask. Called on the subtask's thread before the first poll.</summary>
    ISourceReader<T> CreateReader(SourceReaderContext context);
}

/// <summary>
/// Reads a subtask's splits. All calls come from the subtask's thread; only
/// <see cref="SourceReaderContext.SignalAvailable"/> may be called from elsewhere.
/// </summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ISourceReader<T> : IDisposable
{
    /// <summary>How many splits this reader owns; each has its own watermark. At least 1.</summary>
    int SplitCount { get; }

    /// <summary>
    /// Emits at most about one batch of records to <paramref name="output"/> without blocking, and says whether
    /// more is available.
    /// </summary>
    SourceStatus PollNext(ISourceOutput<T> output);
}

/// <summary>Receives what a reader emits. Not thread-safe; use during <see cref="ISourceReader{T}.PollNext"/> only.</summary>
/// <typeparam name="T">Record type.</typeparam>
public interface ISourceOutput<T>
{
    /// <summary>
    /// Emits a record read from <paramref name="split"/>. <paramref name="timestamp"/> is the timestamp the source
    /// knows (e.g. a log record's), replaced by the strategy's timestamp assigner when one is set.
    /// </summary>
    void Collect(int split, T value, long timestamp = EventTime.NoTimestamp);

    /// <summary>
    /// Emits a run of records read from <paramref name="split"/> without copying them: the runtime passes the spans
    /// straight down the operator chain, so they must stay unchanged until the call returns. <paramref name="timestamps"/>
    /// has one entry per record, or is empty when the records carry no timestamp (the strategy's assigner, if any,
    /// sets them). Prefer this over <see cref="Collect"/> for sources that already hold records in arrays.
    /// </summary>
    void CollectBatch(int split, ReadOnlySpan<T> values, ReadOnlySpan<long> timestamps);

    /// <summary>Raises the watermark of <paramref name="split"/> (sources that know their event-time progress).</summary>
    void EmitWatermark(int split, long watermark);

    /// <summary>
    /// Marks a split ended for good: it counts as +∞ and no longer holds back the watermark. When every split of
    /// the reader has finished, the source emits the final watermark even while the reader keeps running.
    /// </summary>
    void MarkSplitFinished(int split);

    /// <summary>
    /// Marks a split idle (or active again) regardless of the strategy's idleness timeout — e.g. a partition this
    /// reader does not currently own. An idle split does not hold back the watermark; a record on it makes it active.
    /// </summary>
    void MarkSplitIdle(int split, bool idle);

    /// <summary>Reports input that could not be read; it goes to the <see cref="DeadLetters.Tag"/> side output.</summary>
    void ReportDeadLetter(DeadLetter letter);
}

/// <summary>What a reader knows of its environment.</summary>
/// <param name="SubtaskIndex">This reader's subtask in <c>[0, Parallelism)</c>.</param>
/// <param name="Parallelism">The number of readers.</param>
/// <param name="TimeProvider">The job's clock.</param>
/// <param name="SignalAvailable">Wakes the subtask after a poll returned <see cref="SourceStatus.NothingAvailable"/>; thread-safe.</param>
/// <param name="BatchSize">Records per poll the runtime would like (a hint).</param>
public sealed record SourceReaderContext(int SubtaskIndex, int Parallelism, TimeProvider TimeProvider, Action SignalAvailable, int BatchSize)
{
    /// <summary>
    /// Split positions from the checkpoint the job restores (split id → position bytes of
    /// <see cref="ICheckpointedSourceReader.SnapshotSplit(int)"/>), from every subtask of the previous run; empty on a fresh
    /// start. A reader resumes the splits it owns and ignores the others.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> RestoredSplits { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>The source's display name; empty outside a job.</summary>
    public string OperatorName { get; init; } = "";

    /// <summary>The job's name; empty outside a job.</summary>
    public string JobName { get; init; } = "";

    /// <summary>The id of the job's run; the default id outside a submitted job.</summary>
    public JobId JobId { get; init; }

    /// <summary>
    /// The job's <see cref="JobOptions.LoggerFactory"/>: a reader logs through it (from any of its threads), naming the
    /// job, operator and subtask in its messages. Thread-safe. <see cref="NullLoggerFactory.Instance"/> outside a job.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
