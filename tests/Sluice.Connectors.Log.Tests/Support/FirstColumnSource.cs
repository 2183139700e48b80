using Sluice.Schemas;
using Sluice.Sources;

namespace Sluice.Connectors.Log.Tests.Support;

/// <summary>
/// A row source seen as a source of its first BIGINT column, so a factory-made <c>ISource&lt;Row&gt;</c> runs the
/// <c>SourceContractTests</c> (written for <c>ISource&lt;long&gt;</c>). Readers forward splits, positions and dead letters.
/// </summary>
internal sealed class FirstColumnSource(ISource<Row> rows) : ISource<long>
{
    public bool IsBounded => rows.IsBounded;

    public int MaxParallelism => rows.MaxParallelism;

    public ISourceReader<long> CreateReader(SourceReaderContext context) => new Reader(rows.CreateReader(context));

    private sealed class Reader(ISourceReader<Row> inner) : ISourceReader<long>, ICheckpointedSourceReader
    {
        private readonly Output _output = new();

        public int SplitCount => inner.SplitCount;

        public SourceStatus PollNext(ISourceOutput<long> output)
        {
            _output.Target = output;
            return inner.PollNext(_output);
        }

        public string SplitId(int split) => ((ICheckpointedSourceReader)inner).SplitId(split);

        public byte[] SnapshotSplit(int split) => ((ICheckpointedSourceReader)inner).SnapshotSplit(split);

        public void NotifyCheckpointComplete(long checkpointId) => ((ICheckpointedSourceReader)inner).NotifyCheckpointComplete(checkpointId);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Output : ISourceOutput<Row>
    {
        public ISourceOutput<long> Target { get; set; } = null!;

        public void Collect(int split, Row value, long timestamp = EventTime.NoTimestamp) => Target.Collect(split, value.GetInt64(0), timestamp);

        public void CollectBatch(int split, ReadOnlySpan<Row> values, ReadOnlySpan<long> timestamps)
        {
            for (var i = 0; i < values.Length; i++)
            {
                Target.Collect(split, values[i].GetInt64(0), timestamps[i]);
            }
        }

        public void EmitWatermark(int split, long watermark) => Target.EmitWatermark(split, watermark);

        public void MarkSplitFinished(int split) => Target.MarkSplitFinished(split);

        public void MarkSplitIdle(int split, bool idle) => Target.MarkSplitIdle(split, idle);

        public void ReportDeadLetter(DeadLetter letter) => Target.ReportDeadLetter(letter);
    }
}
