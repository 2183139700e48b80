using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The Delta sink in a job, and its transaction ids.</summary>
public sealed class DeltaSinkTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");

    [Fact]
    public async Task ToDelta_JobWithoutCheckpoints_AppendsEveryRowOnce()
    {
        using var temp = new TempDirectory();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2 });
        env.FromCollection(Enumerable.Range(0, 500).Select(i => Row.Of(s_schema, (long)i, $"n{i}"))).ToDelta(temp.File("t"), s_schema);

        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var table = DeltaTable.Open(temp.File("t"));
        table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe(Enumerable.Range(0, 500).Select(i => (long)i));
        table.GetSnapshot().Schema.ShouldBe(s_schema);
    }

    [Fact]
    public void Commit_SameCheckpointTwice_CommitsOnceWithTheTxnOfJobSinkSubtask()
    {
        using var temp = new TempDirectory();
        var sink = new DeltaSink(temp.File("t"), s_schema);
        sink.Open(new CommitterContext("orders-sink", "orders-job", JobId.New(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        sink.AbortPending(6); // restored from checkpoint 6: the writer's first batch belongs to checkpoint 7
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("orders-sink", 1, 2, TimeProvider.System));
        writer.Write(Row.Of(s_schema, 1L, "a"), 0);
        var committable = writer.PrepareCommit(7);
        writer.Dispose();

        sink.Commit(7, 1, committable);
        sink.Commit(7, 1, committable);

        var table = DeltaTable.Open(temp.File("t"));
        var snapshot = table.GetSnapshot();
        snapshot.Version.ShouldBe(1);
        snapshot.GetTransactionVersion("orders-job/orders-sink/1").ShouldBe(7);
        table.ReadRows().Select(r => r.GetInt64(0)).ShouldBe([1L]);
    }

    [Fact]
    public void Commit_RestoredFilesDeletedMeanwhile_FailsNamingTheFile_CommitsNothing()
    {
        // The job was down past the retention: a VACUUM deleted the files its restored checkpoint had prepared.
        using var temp = new TempDirectory();
        var sink = new DeltaSink(temp.File("t"), s_schema);
        sink.Open(new CommitterContext("s", "j", JobId.New(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(s_schema, 1L, "a"), 0);
        var committable = writer.PrepareCommit(1);
        writer.Dispose();
        var file = Directory.GetFiles(temp.File("t"), "*.parquet").Single();
        File.Delete(file);

        var restored = new DeltaSink(temp.File("t"), s_schema);
        restored.Open(new CommitterContext("s", "j", JobId.New(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        restored.AbortPending(1);
        var error = Should.Throw<DeltaException>(() => restored.Commit(1, 0, committable));

        error.Message.ShouldContain(Path.GetFileName(file));
        error.Message.ShouldContain("no longer exists");
        DeltaTable.Open(temp.File("t")).GetSnapshot().Version.ShouldBe(0, "no add of a missing file is committed");
    }

    [Fact]
    public void CreateWriter_ExistingTableOfAnotherSchema_RefusedNamingBoth()
    {
        using var temp = new TempDirectory();
        DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT NOT NULL"));
        var sink = new DeltaSink(temp.File("t"), s_schema);

        var error = Should.Throw<DeltaException>(() => sink.AbortPending(0));

        error.Message.ShouldContain("MergeSchema");
    }

    [Fact]
    public void Commit_FinishedSubtasksLastBatch_CarriedByLaterCheckpoints_CommitsOnce()
    {
        // A subtask that finished prepares its last batch at end of input (checkpoint id long.MaxValue); the coordinator
        // then commits that same committable with every later checkpoint's id. It must reach the table once.
        using var temp = new TempDirectory();
        var sink = new DeltaSink(temp.File("t"), s_schema);
        sink.Open(new CommitterContext("s", "j", JobId.New(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(s_schema, 1L, "a"), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Write(Row.Of(s_schema, 2L, "b"), 0);
        var last = writer.PrepareCommit(long.MaxValue);
        writer.Dispose();

        sink.Commit(2, 0, last);
        sink.Commit(3, 0, last);
        sink.Commit(4, 0, last);

        var table = DeltaTable.Open(temp.File("t"));
        table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([1L, 2L]);
        table.GetSnapshot().GetTransactionVersion("j/s/0").ShouldBe(2);
    }

    [Fact]
    public void Committable_Version1_IsTheVersionByteTheSequenceAndTheAddJson()
    {
        // Golden: the committable's layout (checkpointed state) is pinned.
        var committable = DeltaSink.EncodeCommittable(258, "{}\n"u8.ToArray());

        committable.ShouldBe([1, 0, 0, 0, 0, 0, 0, 1, 2, (byte)'{', (byte)'}', (byte)'\n']);
        var (sequence, adds) = DeltaSink.DecodeCommittable(committable);
        (sequence, System.Text.Encoding.UTF8.GetString(adds)).ShouldBe((258L, "{}\n"));
        Should.Throw<InvalidDataException>(() => DeltaSink.DecodeCommittable([2, 0]));
    }
}
