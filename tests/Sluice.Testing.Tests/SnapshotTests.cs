using Sluice.Sinks;
using Sluice.State;
using Sluice.Windowing;

namespace Sluice.Testing.Tests;

/// <summary>Snapshot and restore in the test kit: every expected output below is worked out by hand in the comments.</summary>
public class SnapshotTests
{
    private sealed record Ev(string Key, int Value);

    /// <summary>Sums each key's values from its first record until an event-time timer 10 ms later, then emits "key=sum".</summary>
    private sealed class SumUntilTimer : KeyedProcessFunction<string, Ev, string>
    {
        private IValueState<int> _sum = null!;

        public override void Open(IRuntimeContext context) => _sum = context.State.GetState(new ValueStateDescriptor<int>("sum"));

        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (!_sum.TryGet(out var sum))
            {
                sum = 0;
                context.TimerService.RegisterEventTimeTimer(context.Timestamp + 10);
            }
            _sum.Update(sum + value.Value);
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output)
        {
            output.Collect($"{context.CurrentKey}={_sum.Value}");
            _sum.Clear();
        }
    }

    /// <summary>Emits "key@due now=…" 100 ms of processing time after each record.</summary>
    private sealed class RemindAfter100Ms : KeyedProcessFunction<string, Ev, string>
    {
        public override void ProcessElement(Ev value, KeyedProcessContext<string> context, ICollector<string> output) =>
            context.TimerService.RegisterProcessingTimeTimer(context.TimerService.CurrentProcessingTime + 100);

        public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output) =>
            output.Collect($"{context.CurrentKey}@{timestamp} now={context.TimerService.CurrentProcessingTime}");
    }

    private static DataStream<string> Sum(DataStream<Ev> input) => input.KeyBy(e => e.Key).Process(new SumUntilTimer());

    private static OperatorTestDriver<Ev, string> SumDriver(int parallelism = 1) =>
        new(Sum, new JobOptions { Parallelism = parallelism });

    [Fact]
    public void KeyedValueStateAndEventTimer_SurviveSnapshotAndRestore()
    {
        using var before = SumDriver();
        // a's first record (ts 1) sets its timer to 11; b's (ts 4) to 14. Watermark 2 fires nothing.
        before.ProcessElement(new("a", 1), 1).ProcessElement(new("a", 2), 3).ProcessElement(new("b", 5), 4).ProcessWatermark(2);
        var snapshot = before.Snapshot();
        before.Values.ShouldBeEmpty();

        using var restored = SumDriver();
        restored.InitializeState(snapshot);
        restored.ProcessElement(new("a", 4), 6).ProcessElement(new("b", 1), 12);
        // Watermark 11 fires a's timer: 1 + 2 + 4 = 7. Watermark 20 fires b's (at 14): 5 + 1 = 6.
        restored.ProcessWatermark(11);
        restored.Output.ShouldBe([("a=7", 11L)]);
        restored.ProcessWatermark(20);
        restored.Output.ShouldBe([("a=7", 11L), ("b=6", 14L)]);

        // The same input from a fresh start: a's timer is set by a@6 to 16, b's by b@12 to 22; watermark 20 fires only a=4.
        using var fresh = SumDriver();
        fresh.ProcessElement(new("a", 4), 6).ProcessElement(new("b", 1), 12).ProcessWatermark(11).ProcessWatermark(20);
        fresh.Output.ShouldBe([("a=4", 16L)]);

        // Taking the snapshot did not disturb the original driver: it continues exactly as the restored one.
        before.ProcessElement(new("a", 4), 6).ProcessElement(new("b", 1), 12).ProcessWatermark(11).ProcessWatermark(20);
        before.Output.ShouldBe([("a=7", 11L), ("b=6", 14L)]);
    }

    [Fact]
    public void TumblingWindow_OpenPanes_FireAfterRestore()
    {
        static DataStream<Ev> Windowed(DataStream<Ev> s) => s
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .Reduce((x, y) => x with { Value = x.Value + y.Value });

        using var before = new OperatorTestDriver<Ev, Ev>(Windowed);
        // Watermark 9 closes [0, 10): a=1. Panes [10, 20) of a (2) and b (3) stay open in the snapshot.
        before.ProcessElement(new("a", 1), 1).ProcessElement(new("a", 2), 12).ProcessElement(new("b", 3), 15).ProcessWatermark(9);
        before.Output.ShouldBe([(new Ev("a", 1), 9L)]);
        var snapshot = before.Snapshot();

        using var restored = new OperatorTestDriver<Ev, Ev>(Windowed);
        restored.InitializeState(snapshot);
        // The restored watermark (9) makes a record at 8 late: its window [0, 10) has fired.
        restored.ProcessElement(new("a", 100), 8);
        restored.LateRecords.ShouldBe(1);
        restored.ProcessElement(new("a", 4), 18).ProcessWatermark(19);
        // [10, 20) fires at its max timestamp 19: a = 2 + 4 = 6, b = 3.
        restored.Output.ShouldBe([(new Ev("a", 6), 19L), (new Ev("b", 3), 19L)], ignoreOrder: true);
    }

    [Fact]
    public void ProcessingTimeTimer_PendingAtSnapshot_FiresWhenTheRestoredClockPassesIt()
    {
        static DataStream<string> Remind(DataStream<Ev> s) => s.KeyBy(e => e.Key).Process(new RemindAfter100Ms());

        using var before = new OperatorTestDriver<Ev, string>(Remind);
        before.AdvanceProcessingTime(TimeSpan.FromMilliseconds(50));
        before.ProcessElement(new("a", 1)); // timer at 50 + 100 = 150
        before.AdvanceProcessingTime(TimeSpan.FromMilliseconds(40)); // now 90
        var snapshot = before.Snapshot();
        snapshot.ProcessingTime.ShouldBe(DateTimeOffset.UnixEpoch.AddMilliseconds(90));
        before.Values.ShouldBeEmpty();

        using var restored = new OperatorTestDriver<Ev, string>(Remind);
        restored.InitializeState(snapshot);
        restored.Clock.NowMs.ShouldBe(90);
        restored.AdvanceProcessingTime(TimeSpan.FromMilliseconds(59)); // now 149
        restored.Values.ShouldBeEmpty();
        restored.AdvanceProcessingTime(TimeSpan.FromMilliseconds(1)); // now 150
        restored.Values.ShouldBe(["a@150 now=150"]);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    [InlineData(2, 3)]
    public void Restore_AtAnotherParallelism_RedistributesKeyGroups(int snapshotParallelism, int restoreParallelism)
    {
        using var before = SumDriver(snapshotParallelism);
        for (var i = 0; i < 10; i++)
        {
            before.ProcessElement(new($"k{i}", i + 1), 1); // k_i = i + 1, timer at 11
        }
        var snapshot = before.Snapshot();

        using var restored = SumDriver(restoreParallelism);
        restored.InitializeState(snapshot);
        // Every key's sum and timer arrived at whichever subtask owns its key group now.
        restored.KeyedStateSize().ShouldBe((10, 10));
        restored.Job.Plan.ShouldMatch($@"\[{restoreParallelism}x\][^\n]*SumUntilTimer");
        for (var i = 0; i < 10; i++)
        {
            restored.ProcessElement(new($"k{i}", 100), 2);
        }
        restored.ProcessWatermark(20);
        restored.Output.ShouldBe(
        [
            ("k0=101", 11L), ("k1=102", 11L), ("k2=103", 11L), ("k3=104", 11L), ("k4=105", 11L),
            ("k5=106", 11L), ("k6=107", 11L), ("k7=108", 11L), ("k8=109", 11L), ("k9=110", 11L),
        ], ignoreOrder: true);
        restored.KeyedStateSize().ShouldBe((0, 0));
    }

    [Fact]
    public void SnapshotOfARestoredDriver_RestoresAgain_AndTheFirstSnapshotIsUnchanged()
    {
        using var first = SumDriver();
        first.ProcessElement(new("a", 1), 1); // timer at 11
        var s1 = first.Snapshot();

        using var second = SumDriver(parallelism: 2);
        second.InitializeState(s1).ProcessElement(new("a", 2), 2);
        var s2 = second.Snapshot();
        s2.CheckpointId.ShouldBeGreaterThan(s1.CheckpointId);

        using var third = SumDriver();
        third.InitializeState(s2).ProcessElement(new("a", 4), 3).ProcessWatermark(11);
        third.Output.ShouldBe([("a=7", 11L)]); // 1 + 2 + 4

        // s1 still holds only a=1: restoring it again ignores what the second driver added.
        using var again = SumDriver();
        again.InitializeState(s1).ProcessElement(new("a", 10), 3).ProcessWatermark(11);
        again.Output.ShouldBe([("a=11", 11L)]); // 1 + 10
    }

    [Fact]
    public void InitializeState_AfterInput_Throws()
    {
        using var source = SumDriver();
        var snapshot = source.Snapshot();

        using var pushed = SumDriver();
        pushed.ProcessElement(new("a", 1), 1);
        Should.Throw<InvalidOperationException>(() => pushed.InitializeState(snapshot)).Message.ShouldContain("before the first input");

        using var advanced = SumDriver();
        advanced.AdvanceProcessingTime(TimeSpan.FromSeconds(1));
        Should.Throw<InvalidOperationException>(() => advanced.InitializeState(snapshot)).Message.ShouldContain("before the first input");

        using var twice = SumDriver();
        twice.InitializeState(snapshot);
        Should.Throw<InvalidOperationException>(() => twice.InitializeState(snapshot)).Message.ShouldContain("already initialized");
    }

    [Fact]
    public void InitializeState_SnapshotWithStateForAMissingOperator_ThrowsNamingIt()
    {
        using var before = new OperatorTestDriver<Ev, string>(s => s.KeyBy(e => e.Key).Process(new SumUntilTimer()).Uid("sum"));
        before.ProcessElement(new("a", 1), 1);
        var snapshot = before.Snapshot();
        snapshot.OperatorUids.ShouldBe(["0-TestInput", "sum"]);

        using var renamed = new OperatorTestDriver<Ev, string>(s => s.KeyBy(e => e.Key).Process(new SumUntilTimer()).Uid("total"));
        var error = Should.Throw<InvalidOperationException>(() => renamed.InitializeState(snapshot));
        error.Message.ShouldContain("'sum'");
        error.Message.ShouldContain("no longer has");
    }

    [Fact]
    public void InitializeState_AnotherKeyGroupCount_Throws()
    {
        using var before = SumDriver();
        before.ProcessElement(new("a", 1), 1);
        var snapshot = before.Snapshot();

        using var restored = new OperatorTestDriver<Ev, string>(Sum, new JobOptions { KeyGroupCount = 64 });
        Should.Throw<InvalidOperationException>(() => restored.InitializeState(snapshot)).Message.ShouldContain("KeyGroupCount=");
    }

    [Fact]
    public void Snapshot_AfterFinish_Throws()
    {
        using var driver = SumDriver();
        driver.ProcessElement(new("a", 1), 1).Finish();
        driver.Output.ShouldBe([("a=1", 11L)]);
        Should.Throw<InvalidOperationException>(() => driver.Snapshot()).Message.ShouldContain("finished");
    }

    /// <summary>Stages written values; a commit publishes them.</summary>
    private sealed class StagingSink : ITwoPhaseSink<int>
    {
        public List<string> Commits { get; } = [];

        public int MaxParallelism => 1;

        public ISinkWriter<int> CreateWriter(SinkContext context) => new Writer();

        public void Commit(long checkpointId, int subtaskIndex, byte[] committable) =>
            Commits.Add($"#{checkpointId}: {string.Join(",", committable)}");

        public void AbortPending(long restoredCheckpointId) { }

        private sealed class Writer : ITwoPhaseSinkWriter<int>
        {
            private readonly List<byte> _staged = [];

            public void Write(int value, long timestamp) => _staged.Add((byte)value);

            public void Flush() { }

            public byte[] PrepareCommit(long checkpointId)
            {
                var committable = _staged.ToArray();
                _staged.Clear();
                return committable;
            }

            public void Dispose() { }
        }
    }

    [Fact]
    public void JobTestDriver_Snapshot_CommitsStagedOutputAndKeepsRunning()
    {
        var sink = new StagingSink();
        using var job = new JobTestDriver();
        var input = job.CreateInput<int>();
        input.Stream.SinkTo(sink);
        input.Push(1).Push(2);
        var snapshot = job.Snapshot();
        snapshot.CheckpointId.ShouldBe(1);
        sink.Commits.ShouldBe(["#1: 1,2"]);

        input.Push(3).Complete();
        job.RunToCompletion();
        // Without checkpointing, the end of input commits the rest itself (as checkpoint 0).
        sink.Commits.ShouldBe(["#1: 1,2", "#0: 3"]);
    }

    [Fact]
    public void JobTestDriver_InitializeStateAfterStart_Throws()
    {
        using var source = new JobTestDriver();
        source.CreateInput<int>().Stream.Collect();
        var snapshot = source.Snapshot();

        using var job = new JobTestDriver();
        job.CreateInput<int>().Stream.Collect();
        job.Start();
        Should.Throw<InvalidOperationException>(() => job.InitializeState(snapshot)).Message.ShouldContain("before the job starts");
    }

    [Fact]
    public void JobTestDriver_SnapshotMismatch_FailsStart()
    {
        using var source = new JobTestDriver();
        var input = source.CreateInput<Ev>();
        input.Stream.KeyBy(e => e.Key).Process(new SumUntilTimer()).Uid("sum").Collect();
        input.Push(new("a", 1), 1);
        var snapshot = source.Snapshot();

        using var job = new JobTestDriver();
        job.InitializeState(snapshot); // the job is built afterwards, so it is checked when it starts
        job.CreateInput<Ev>().Stream.Map(e => e.Key).Collect();
        Should.Throw<InvalidOperationException>(() => job.Start()).Message.ShouldContain("'sum'");
    }

    [Fact]
    public void JobTestDriver_InputCompletedBeforeTheFirstSnapshot_TheOtherPipelineIsSnapshotted()
    {
        static (TestInput<Ev> Done, TestInput<Ev> Open, CollectSink<string> Out) Build(JobTestDriver job)
        {
            var done = job.CreateInput<Ev>(name: "Done");
            done.Stream.Map(e => e.Key, "Keys").Collect("DoneOut");
            var open = job.CreateInput<Ev>(name: "Open");
            var output = open.Stream.KeyBy(e => e.Key).Process(new SumUntilTimer()).Uid("sum").Collect("OpenOut");
            return (done, open, output);
        }

        using var before = new JobTestDriver();
        var (done, open, _) = Build(before);
        done.Push(new("x", 1)).Complete();
        open.Push(new("a", 1), 1); // timer at 11
        before.RunUntilIdle();
        var snapshot = before.Snapshot();
        snapshot.OperatorUids.ShouldContain("sum");

        using var restored = new JobTestDriver();
        var (_, reopened, output) = Build(restored);
        restored.InitializeState(snapshot);
        reopened.Push(new("a", 2), 2).PushWatermark(11);
        restored.RunUntilIdle();
        output.TimestampedItems.ShouldBe([("a=3", 11L)]); // 1 + 2
    }
}
