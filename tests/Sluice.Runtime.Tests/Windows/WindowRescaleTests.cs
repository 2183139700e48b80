using Sluice.Runtime.Checkpointing;
using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.Testing;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Windows;

/// <summary>
/// Windows restored at another parallelism from old subtasks whose times differ (see <c>WindowOperatorBase</c>): a key
/// group stays judged against its own old time, also across a further checkpoint and restore. Runs on every state
/// backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.
/// </summary>
public abstract class WindowRescaleTests : BackendSuite
{
    /// <summary>The window operator's uid.</summary>
    internal const string WindowUid = "windows";

    internal static readonly OutputTag<Ev> LateTag = new("late");

    /// <summary>A key in key groups 0–63, owned by subtask 0 at parallelism 2 (of 128 key groups).</summary>
    internal static readonly string Behind = KeyOwnedBy(0);

    /// <summary>A key in key groups 64–127, owned by subtask 1 at parallelism 2.</summary>
    internal static readonly string Ahead = KeyOwnedBy(1);

    private static string KeyOwnedBy(int subtask) => Enumerable.Range(0, 1000).Select(i => $"k{i}")
        .First(k => KeyGroups.OwnerOf(KeyGroups.Assign(KeyHasher.For<string>().Hash(k), KeyGroups.DefaultCount), KeyGroups.DefaultCount, 2) == subtask);

    /// <summary>Counts per key in tumbling 10 ms event-time windows, late records to <see cref="LateTag"/>.</summary>
    internal static OperatorTestDriver<Ev, Win> Driver(JobOptions options) =>
        new(s => s.KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(10)))
            .SideOutputLateData(LateTag)
            .Aggregate(new CountAggregate<Ev>(), (k, w, n) => new Win(k, w.Start, w.End, n))
            .Uid(WindowUid), options);

    private OperatorTestDriver<Ev, Win> Driver(int parallelism) => Driver(Options(new JobOptions { Parallelism = parallelism }));

    /// <summary>
    /// A checkpoint of a parallelism-2 job whose window subtasks fired up to different times: subtask 0 up to 9 with
    /// the behind key's pane [10, 20) open, subtask 1 up to 29 after firing the ahead key's [10, 20) = 1. (Aligned
    /// checkpoints of one job see one watermark, so the two subtasks come from two drivers; everything but window
    /// subtask 1, the test input's watermark 9 included, is the first driver's.)
    /// </summary>
    internal static TestSnapshot SubtasksAtDifferentTimes(JobOptions options)
    {
        using var behind = Driver(options with { Parallelism = 2 });
        behind.ProcessElement(new Ev(Behind, 12), 12).ProcessWatermark(9);
        behind.Output.ShouldBeEmpty();
        var behindSnapshot = behind.Snapshot();

        using var ahead = Driver(options with { Parallelism = 2 });
        ahead.ProcessElement(new Ev(Ahead, 12), 12).ProcessWatermark(29);
        ahead.Output.ShouldBe([(new Win(Ahead, 10, 20, 1), 19L)]);
        var aheadSnapshot = ahead.Snapshot();

        static bool AheadSubtask(OperatorSnapshot s) => s.Uid == WindowUid && s.Subtask == 1;
        var spliced = behindSnapshot.ToRestoredCheckpoint().Snapshots.Where(s => !AheadSubtask(s))
            .Concat(aheadSnapshot.ToRestoredCheckpoint().Snapshots.Where(AheadSubtask))
            .ToList();
        spliced.Count(s => s.Uid == WindowUid).ShouldBe(2);
        return new TestSnapshot(behindSnapshot.CheckpointId, behindSnapshot.KeyGroupCount, behindSnapshot.ProcessingTime, spliced);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Restore_CheckpointedBeforeTheTimeCaughtUp_KeepsKeyGroupsThatWereAheadLate(int parallelism)
    {
        // Restored at parallelism 1, the operator's time is 9 but the ahead key's group fired up to 29: a record of it
        // at 15 (window [10, 20), already fired) is late. Checkpoint at once, before the time passes 29.
        TestSnapshot checkpoint;
        using (var merged = Driver(1))
        {
            merged.InitializeState(SubtasksAtDifferentTimes(Options()));
            checkpoint = merged.Snapshot();
            merged.ProcessElement(new Ev(Ahead, 15), 15);
            merged.LateRecords.ShouldBe(1, "the first restore keeps the ahead group's time");
        }

        // Restored again (at 1 or back at 2), the ahead key's group must still be at 29: its record at 15 is late, and
        // [10, 20) does not fire a second time. The behind key's group is at 9: its record at 15 joins the open pane.
        using var restored = Driver(parallelism);
        var late = restored.SideOutput(LateTag);
        restored.InitializeState(checkpoint);
        restored.ProcessElement(new Ev(Ahead, 15), 15)
            .ProcessElement(new Ev(Behind, 15), 15)
            .ProcessWatermark(29);

        restored.Output.ShouldBe([(new Win(Behind, 10, 20, 2), 19L)]);
        late.TimestampedItems.ShouldBe([(new Ev(Ahead, 15), 15L)]);
        restored.LateRecords.ShouldBe(1);
    }

    public sealed class Heap : WindowRescaleTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : WindowRescaleTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
