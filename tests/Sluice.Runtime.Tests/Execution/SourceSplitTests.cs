using Sluice.Sources;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Execution;

/// <summary>Split states a reader reports: finished splits count as +∞, explicitly idle splits are left out.</summary>
public class SourceSplitTests
{
    [Fact]
    public void MarkSplitFinished_AllSplitsOfARunningReader_ReleasesTheDownstreamWatermark()
    {
        using var job = new JobTestDriver();
        var data = job.CreateInput<long>(WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v));
        var silent = job.Environment.FromSource(new ScriptedSource(reader => reader.FinishAll = true), WatermarkStrategy<long>.ForMonotonousTimestamps(), "Silent");
        var sums = data.Stream.Union(silent)
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Reduce((a, b) => a + b)
            .Collect();

        data.Push(1).Push(2).Push(11);
        job.RunUntilIdle();

        // The silent source never finishes its reader, but all its splits are finished: window [0,10) fires.
        sums.Items.ShouldBe([3L]);
    }

    [Fact]
    public void MarkSplitIdle_IdleSplitOfARunningReader_DoesNotHoldBackTheWatermark()
    {
        using var job = new JobTestDriver();
        var data = job.CreateInput<long>(WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v));
        var idle = job.Environment.FromSource(new ScriptedSource(reader => reader.Idle = true), WatermarkStrategy<long>.ForMonotonousTimestamps(), "IdleReader");
        var sums = data.Stream.Union(idle)
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Reduce((a, b) => a + b)
            .Collect();

        data.Push(4).Push(5).Push(12);
        job.RunUntilIdle();

        sums.Items.ShouldBe([9L]);
    }

    [Fact]
    public void Watermark_RunningReaderWithAnActiveEmptySplit_HoldsBackTheWindow()
    {
        using var job = new JobTestDriver();
        var data = job.CreateInput<long>(WatermarkStrategy<long>.ForMonotonousTimestamps().WithTimestampAssigner(v => v));
        var quiet = job.Environment.FromSource(new ScriptedSource(_ => { }), WatermarkStrategy<long>.ForMonotonousTimestamps(), "Quiet");
        var sums = data.Stream.Union(quiet)
            .KeyBy(_ => 0)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Reduce((a, b) => a + b)
            .Collect();

        data.Push(4).Push(5).Push(12);
        job.RunUntilIdle();

        sums.Items.ShouldBeEmpty();
    }

    /// <summary>An unbounded one-split source that emits nothing; the script sets its split state on the first poll.</summary>
    private sealed class ScriptedSource(Action<ScriptedSource.Script> script) : ISource<long>
    {
        public bool IsBounded => false;

        public int MaxParallelism => 1;

        public ISourceReader<long> CreateReader(SourceReaderContext context) => new Reader(script);

        public sealed class Script
        {
            public bool FinishAll { get; set; }

            public bool Idle { get; set; }
        }

        private sealed class Reader(Action<Script> script) : ISourceReader<long>
        {
            private bool _started;

            public int SplitCount => 1;

            public SourceStatus PollNext(ISourceOutput<long> output)
            {
                if (!_started)
                {
                    _started = true;
                    var s = new Script();
                    script(s);
                    if (s.FinishAll)
                    {
                        output.MarkSplitFinished(0);
                    }
                    if (s.Idle)
                    {
                        output.MarkSplitIdle(0, true);
                    }
                }
                return SourceStatus.NothingAvailable;
            }

            public void Dispose() { }
        }
    }
}
