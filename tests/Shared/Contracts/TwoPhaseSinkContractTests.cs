using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Checkpoints;
using Sluice.Sinks;

namespace Sluice.Tests.Shared.Contracts;

/// <summary>
/// The contract every exactly-once (two-phase) sink keeps, run through the runtime's real job execution: a subclass
/// per connector supplies the sink and a reader of what the external system shows as committed. The source is a
/// <see cref="PausableRangeSource"/> of the values 0..<see cref="Count"/>-1 whose pauses are the crash points; the
/// subclass maps each value to its record type with <see cref="ToRecord"/> and maps committed records back.
/// </summary>
/// <typeparam name="TRecord">The record type the sink writes.</typeparam>
public abstract class TwoPhaseSinkContractTests<TRecord> : IDisposable
{
    /// <summary>Records the source produces in every test.</summary>
    protected const long Count = 300;

    private const long Checkpointed = 120;
    private const long Crashed = 200;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _checkpoints = Path.Combine(Path.GetTempPath(), "sluice-sink-contract-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Whether a reader of the external system sees only committed records. A fixture whose system shows uncommitted
    /// or aborted records (the librdkafka mock cluster) says false: the tests then assert no loss and that duplicates
    /// come only from the aborted attempt, instead of exactly-once visibility.
    /// </summary>
    protected virtual bool ReadsOnlyCommitted => true;

    /// <summary>
    /// Whether a new process can commit the transactions an earlier process prepared for the restored checkpoint.
    /// False for Kafka (librdkafka cannot resume another producer's transaction: docs/connectors/kafka.md, "the one
    /// window"); such a fixture must also say <see cref="ReadsOnlyCommitted"/> false, since the loss is only
    /// observable against a real broker.
    /// </summary>
    protected virtual bool CommitsPreparedTransactionsOfAnEarlierProcess => true;

    /// <summary>Creates a new sink over the fixture's external system; called once per job run.</summary>
    protected abstract ITwoPhaseSink<TRecord> CreateSink();

    /// <summary>The record the sink writes for source value <paramref name="value"/>.</summary>
    protected abstract TRecord ToRecord(long value);

    /// <summary>The source values of every record a reader of the external system sees now, in any order.</summary>
    protected abstract IReadOnlyList<long> ReadCommitted();

    /// <summary>
    /// Work the sink left staged outside what readers see (staged files, pending transactions) — must be none once
    /// every checkpoint is committed or aborted. Default 0, for sinks that leave nothing a test can count.
    /// </summary>
    protected virtual int StagedLeftovers() => 0;

    /// <summary>Called after a job was crashed (cancelled) and before it is restored, e.g. to close and reopen a log as after kill -9.</summary>
    protected virtual void AfterCrash()
    {
    }

    [Fact]
    public async Task Checkpoint_Completed_CommitsItsRecordsExactlyOnce()
    {
        var source = new PausableRangeSource(Count) { PauseAt = Checkpointed };
        var client = await source.StartAndCheckpointAtPauseAsync(Job(source, CreateSink()));

        Sorted(ReadCommitted()).ShouldBe(Values(0, Checkpointed), "the completed checkpoint's records are committed, each once");
        source.PauseAt = long.MaxValue;
        await client.Completion.WaitAsync(s_timeout);
        Sorted(ReadCommitted()).ShouldBe(Values(0, Count), "the final checkpoint at the end of input commits the rest");
    }

    [Fact]
    public async Task Restore_CrashAfterPreCommitBeforeCommit_CommitsTheCheckpointOnce_ASecondRestoreAddsNothing()
    {
        (CommitsPreparedTransactionsOfAnEarlierProcess || !ReadsOnlyCommitted).ShouldBeTrue(
            "a sink that cannot commit an earlier process's transactions is only tested against a system that shows them anyway");
        var first = new PausableRangeSource(Count) { PauseAt = Checkpointed };
        var run1 = await first.StartAndCheckpointAtPauseAsync(Job(first, new CommitDroppingSink<TRecord>(CreateSink())));
        if (ReadsOnlyCommitted)
        {
            ReadCommitted().ShouldBeEmpty("the manifest is durable but the commit never ran");
        }
        await PausableRangeSource.CrashAsync(run1);
        AfterCrash();

        // The restore commits the restored checkpoint before any task runs; the source then pauses where it restored.
        var second = new PausableRangeSource(Count) { PauseAt = Checkpointed };
        var run2 = Job(second, CreateSink()).Start();
        second.Paused.Wait(s_timeout).ShouldBeTrue("the restored source should reach its pause point");
        AssertOnlyCheckpointedVisible("the restore commits the prepared checkpoint");
        await PausableRangeSource.CrashAsync(run2);
        AfterCrash();

        var result = await Job(new PausableRangeSource(Count), CreateSink()).ExecuteAsync().WaitAsync(s_timeout);
        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        AssertEveryValueOnceExceptAborted();
    }

    [Fact]
    public async Task Restore_AfterCrash_RecordsAfterTheCheckpointAreInvisibleUntilReproducedOnce()
    {
        var first = new PausableRangeSource(Count) { PauseAt = Checkpointed };
        var run1 = await first.StartAndCheckpointAtPauseAsync(Job(first, CreateSink()));
        first.AdvanceTo(Crashed);
        await PausableRangeSource.CrashAsync(run1);
        AfterCrash();
        AssertOnlyCheckpointedVisible("records after the checkpoint belong to a transaction the crash aborted");

        // Restored with another parallelism: the former subtasks' pending work is resolved too.
        var result = await Job(new PausableRangeSource(Count), CreateSink(), parallelism: 3).ExecuteAsync().WaitAsync(s_timeout);

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        AssertEveryValueOnceExceptAborted();
    }

    [Fact]
    public async Task WriterFailure_AbortsThePendingTransaction_NothingPartialIsVisible()
    {
        var first = new PausableRangeSource(Count) { PauseAt = Checkpointed };
        var failing = new FailingSink<TRecord>(CreateSink(), ToRecord(Crashed));
        var run1 = await first.StartAndCheckpointAtPauseAsync(Job(first, failing));
        first.PauseAt = long.MaxValue;
        (await Should.ThrowAsync<Exception>(() => run1.Completion.WaitAsync(s_timeout))).ToString().ShouldContain(FailingSink<TRecord>.Message);
        AssertOnlyCheckpointedVisible("the failed attempt's open transaction is aborted");

        var result = await Job(new PausableRangeSource(Count), CreateSink(), parallelism: 1).ExecuteAsync().WaitAsync(s_timeout);

        result.RestoredCheckpointId.ShouldBeGreaterThan(0);
        AssertEveryValueOnceExceptAborted();
    }

    [Fact]
    public void AbortPending_OfARestoredCheckpoint_DiscardsLaterWork_CommitsTheRestoredOnesOnce()
    {
        // Two subtasks prepare checkpoint 3; subtask 0 also prepares 4 and writes on. A new process restores 3.
        var sink = Opened(CreateSink());
        sink.AbortPending(0);
        var writer0 = (ITwoPhaseSinkWriter<TRecord>)sink.CreateWriter(new SinkContext("sink", 0, 2, TimeProvider.System));
        var writer1 = (ITwoPhaseSinkWriter<TRecord>)sink.CreateWriter(new SinkContext("sink", 1, 2, TimeProvider.System));
        writer0.Write(ToRecord(3), 3);
        var three = writer0.PrepareCommit(3);
        writer1.Write(ToRecord(33), 33);
        var threeB = writer1.PrepareCommit(3);
        writer0.Write(ToRecord(4), 4);
        writer0.PrepareCommit(4);
        writer0.Write(ToRecord(5), 5);
        writer0.Dispose();
        writer1.Dispose();
        if (ReadsOnlyCommitted)
        {
            ReadCommitted().ShouldBeEmpty("nothing was committed");
        }

        var restored = Opened(CreateSink());
        restored.AbortPending(3);
        restored.Commit(3, 0, three);
        restored.Commit(3, 1, threeB);
        restored.Commit(3, 0, three);

        var visible = Sorted(ReadCommitted());
        if (ReadsOnlyCommitted)
        {
            visible.ShouldBe([3L, 33L], "checkpoint 3 is committed once, checkpoint 4 and the open work are discarded");
        }
        else
        {
            visible.ShouldContain(3L);
            visible.ShouldContain(33L);
        }
        StagedLeftovers().ShouldBe(0, "every staged piece was committed or discarded");
    }

    /// <summary>Deletes the checkpoints; subclasses delete their external system and call this base.</summary>
    public virtual void Dispose()
    {
        if (Directory.Exists(_checkpoints))
        {
            Directory.Delete(_checkpoints, recursive: true);
        }
        GC.SuppressFinalize(this);
    }

    private StreamEnvironment Job(PausableRangeSource source, ITwoPhaseSink<TRecord> sink, int parallelism = 2)
    {
        var env = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = parallelism,
            Checkpoints = CheckpointOptions.InDirectory(_checkpoints, TimeSpan.FromHours(1)),
            BatchSize = 32,
        });
        env.FromSource(source, null, "Range").Uid("range").Map(ToRecord).Uid("map").SinkTo(sink).Uid("sink");
        return env;
    }

    private void AssertOnlyCheckpointedVisible(string why)
    {
        var visible = Sorted(ReadCommitted());
        if (ReadsOnlyCommitted)
        {
            visible.ShouldBe(Values(0, Checkpointed), why);
        }
        else
        {
            visible.Distinct().Take((int)Checkpointed).ShouldBe(Values(0, Checkpointed), "the committed checkpoint is complete");
        }
    }

    private void AssertEveryValueOnceExceptAborted()
    {
        var visible = Sorted(ReadCommitted());
        if (ReadsOnlyCommitted)
        {
            visible.ShouldBe(Values(0, Count), "every record is committed exactly once");
            StagedLeftovers().ShouldBe(0, "every staged piece was committed or discarded");
            return;
        }
        visible.Distinct().ShouldBe(Values(0, Count), "no record is lost");
        foreach (var duplicate in visible.GroupBy(v => v).Where(g => g.Count() > 1))
        {
            duplicate.Key.ShouldBeGreaterThanOrEqualTo(Checkpointed, "only records of the aborted transaction may be shown twice");
        }
    }

    private static ITwoPhaseSink<TRecord> Opened(ITwoPhaseSink<TRecord> sink)
    {
        sink.Open(new CommitterContext("sink", "contract", JobId.New(), NullLoggerFactory.Instance));
        return sink;
    }

    private static List<long> Sorted(IReadOnlyList<long> values) => [.. values.Order()];

    private static List<long> Values(long from, long to)
    {
        var values = new List<long>();
        for (var v = from; v < to; v++)
        {
            values.Add(v);
        }
        return values;
    }
}
