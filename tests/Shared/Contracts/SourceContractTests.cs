using Sluice.Sources;

namespace Sluice.Tests.Shared.Contracts;

/// <summary>
/// The contract every bounded, checkpointable source keeps. A subclass per connector writes records into its external
/// system — each a JSON number, so every connector reads them with its JSON format as <see cref="long"/> — and creates
/// a bounded source reading them from the start. Split <c>s</c> holds the values <c>s * 100 000 + 10 * i</c>; event
/// time is the value (assigned by the watermark strategy, so connectors without record timestamps are tested alike).
/// Whole reads run as real jobs; the snapshot/restore test drives one reader directly so that its position is
/// taken after an exact number of polls.
/// </summary>
public abstract class SourceContractTests : IDisposable
{
    private const int PerSplit = 60;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many splits (partitions, files) the fixture writes into: 2 for a partitioned system, 1 for a source with a
    /// single split (a file), whose watermark test then checks the single-split behaviour.
    /// </summary>
    protected abstract int SplitCount { get; }

    /// <summary>Appends <paramref name="values"/> to split <paramref name="split"/>, in order, each as a JSON number.</summary>
    protected abstract void Append(int split, IReadOnlyList<long> values);

    /// <summary>Appends the malformed record <c>{not json</c> to <paramref name="split"/>; returns the position its dead letter must name.</summary>
    protected abstract string AppendMalformed(int split);

    /// <summary>The <see cref="DeadLetter.Source"/> the source's dead letters carry (e.g. <c>log:topic</c>, a file's path).</summary>
    protected abstract string DeadLetterSource { get; }

    /// <summary>A new bounded source reading every split from its start, values decoded as JSON numbers.</summary>
    protected abstract ISource<long> CreateSource();

    [Fact]
    public async Task Read_Bounded_YieldsExactlyTheWrittenRecords_InOrderPerSplit()
    {
        var written = WriteAll();

        var (records, _) = await ReadAsync();

        for (var split = 0; split < SplitCount; split++)
        {
            records.Select(r => r.Value).Where(v => v / 100_000 == split).ShouldBe(written[split], $"split {split} in order, each record once");
        }
        records.Count.ShouldBe(SplitCount * PerSplit);
    }

    [Fact]
    public async Task Read_BoundedAndEmpty_JobFinishesWithNothing()
    {
        CreateSource().IsBounded.ShouldBeTrue();

        var (records, letters) = await ReadAsync();

        records.ShouldBeEmpty();
        letters.ShouldBeEmpty();
    }

    [Fact]
    public void Restore_FromAPositionAfterSomeRecords_ReadsTheRestWithoutGapOrDuplicate()
    {
        var written = WriteAll();
        var source = CreateSource();
        var signal = new SemaphoreSlim(0);
        var first = new RecordingOutput();
        Dictionary<string, byte[]> positions = [];
        using (var reader = source.CreateReader(Context(signal, new Dictionary<string, byte[]>())))
        {
            while (first.Values.Count < PerSplit / 2)
            {
                Poll(reader, first, signal).ShouldNotBe(SourceStatus.Finished, "the source ended before half of one split was read");
            }
            var checkpointed = (ICheckpointedSourceReader)reader;
            for (var split = 0; split < reader.SplitCount; split++)
            {
                positions[checkpointed.SplitId(split)] = checkpointed.SnapshotSplit(split);
            }
        }

        var rest = new RecordingOutput();
        using (var restored = source.CreateReader(Context(signal, positions)))
        {
            while (Poll(restored, rest, signal) != SourceStatus.Finished)
            {
            }
        }

        first.Values.Count.ShouldBeLessThan(SplitCount * PerSplit);
        first.Values.Concat(rest.Values).Order().ShouldBe(written.SelectMany(s => s).Order(), "no record lost or read twice across the restore");
    }

    [Fact]
    public async Task Watermarks_SplitsAtDifferentEventTimes_NeverPassTheSlowerSplit()
    {
        // With two splits, split 1 runs 100 000 ms ahead of split 0: a watermark following the faster split would make
        // every later record of split 0 late. With one split the watermark must simply trail that split's records.
        WriteAll();

        var (records, _) = await ReadAsync();

        records.Count.ShouldBe(SplitCount * PerSplit);
        foreach (var (value, watermark) in records)
        {
            watermark.ShouldBeLessThan(value, $"record {value} arrived behind the watermark {watermark}");
        }
        records.Max(r => r.Watermark).ShouldBeGreaterThanOrEqualTo(0, "watermarks advance while records are read");
    }

    [Fact]
    public async Task Read_MalformedRecord_BecomesADeadLetterNamingItsPosition_TheRestContinue()
    {
        Append(0, [1, 2, 3]);
        var position = AppendMalformed(0);
        Append(0, [4, 5]);

        var (records, letters) = await ReadAsync();

        records.Select(r => r.Value).ShouldBe([1L, 2L, 3L, 4L, 5L]);
        letters.Count.ShouldBe(1);
        letters[0].Source.ShouldBe(DeadLetterSource);
        letters[0].Position.ShouldBe(position);
        letters[0].Reason.ShouldContain("JSON");
        letters[0].Payload.ShouldBe("{not json");
    }

    /// <summary>Nothing to release here; subclasses delete their external system and call this base.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    private List<List<long>> WriteAll()
    {
        var written = new List<List<long>>();
        for (var split = 0; split < SplitCount; split++)
        {
            var values = new List<long>();
            for (var i = 0; i < PerSplit; i++)
            {
                values.Add((split * 100_000L) + (10L * i));
            }
            Append(split, values);
            written.Add(values);
        }
        return written;
    }

    private async Task<(List<(long Value, long Watermark)> Records, List<DeadLetter> Letters)> ReadAsync()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, BatchSize = 8 });
        var stream = env.FromSource(CreateSource(), WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v), "source").Uid("source");
        var records = stream.Process(new WatermarkProbe()).Uid("probe").Collect();
        var letters = stream.GetSideOutput(DeadLetters.Tag).Collect();
        await env.ExecuteAsync().WaitAsync(s_timeout);
        return ([.. records.Items], [.. letters.Items]);
    }

    private static SourceReaderContext Context(SemaphoreSlim signal, IReadOnlyDictionary<string, byte[]> restored) =>
        new(0, 1, TimeProvider.System, () => signal.Release(), 7) { RestoredSplits = restored };

    /// <summary>Polls once; when nothing is available, waits for the reader's availability signal instead of sleeping.</summary>
    private static SourceStatus Poll(ISourceReader<long> reader, RecordingOutput output, SemaphoreSlim signal)
    {
        var status = reader.PollNext(output);
        if (status == SourceStatus.NothingAvailable)
        {
            signal.Wait(s_timeout).ShouldBeTrue("a reader with nothing available must signal when it has more");
        }
        return status;
    }

    /// <summary>Emits each record with the watermark current when it arrived.</summary>
    private sealed class WatermarkProbe : ProcessFunction<long, (long Value, long Watermark)>
    {
        public override void ProcessElement(long value, ProcessContext context, ICollector<(long Value, long Watermark)> output) =>
            output.Collect((value, context.TimerService.CurrentWatermark));
    }

    private sealed class RecordingOutput : ISourceOutput<long>
    {
        public List<long> Values { get; } = [];

        public void Collect(int split, long value, long timestamp = EventTime.NoTimestamp) => Values.Add(value);

        public void CollectBatch(int split, ReadOnlySpan<long> values, ReadOnlySpan<long> timestamps) => Values.AddRange(values);

        public void EmitWatermark(int split, long watermark) { }

        public void MarkSplitFinished(int split) { }

        public void MarkSplitIdle(int split, bool idle) { }

        public void ReportDeadLetter(DeadLetter letter) => throw new InvalidOperationException($"Unexpected dead letter at {letter.Position}: {letter.Reason}");
    }
}
