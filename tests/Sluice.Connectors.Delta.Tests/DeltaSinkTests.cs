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
        sink.AbortPending(0);
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
    public void CreateWriter_ExistingTableOfAnotherSchema_RefusedNamingBoth()
    {
        using var temp = new TempDirectory();
        DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT NOT NULL"));
        var sink = new DeltaSink(temp.File("t"), s_schema);

        var error = Should.Throw<DeltaException>(() => sink.AbortPending(0));

        error.Message.ShouldContain("MergeSchema");
    }
}
