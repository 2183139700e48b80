using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>The Delta upsert sink: per-key collapse, deletes, exactly-once merges by txn (appId = uid), schema errors.</summary>
public sealed class DeltaUpsertSinkTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");

    [Fact]
    public void Commit_BatchWithSeveralChangesPerKey_LastChangeOfEachKeyWins()
    {
        using var temp = new TempDirectory();
        var sink = Opened(temp.File("t"), "gold");
        sink.AbortPending(0);
        var writer = Writer(sink);
        writer.Write(Change(RowKind.Insert, 3, "three"), 0);
        writer.Write(Change(RowKind.Insert, 5, "five"), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));

        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        writer.Write(Change(RowKind.UpdateBefore, 1, "a"), 0);
        writer.Write(Change(RowKind.UpdateAfter, 1, "b"), 0);   // 1: upserted as b
        writer.Write(Change(RowKind.Insert, 2, "x"), 0);
        writer.Write(Change(RowKind.Delete, 2, "x"), 0);        // 2: inserted then deleted: absent
        writer.Write(Change(RowKind.UpdateBefore, 3, "three"), 0); // 3: a -U without its +U deletes the key
        writer.Write(Change(RowKind.Insert, 4, "c"), 0);
        writer.Write(Change(RowKind.UpdateBefore, 4, "c"), 0);
        writer.Write(Change(RowKind.UpdateAfter, 4, "d"), 0);   // 4: d
        var committable = writer.PrepareCommit(2);
        sink.DecodeCommittable(committable, "test").Rows.Count.ShouldBe(4, "one row per key");
        sink.Commit(2, 0, committable);

        Read(temp.File("t")).ShouldBe([(1L, "b"), (4L, "d"), (5L, "five")]);
        var snapshot = DeltaTable.Open(temp.File("t")).GetSnapshot();
        snapshot.Version.ShouldBe(2, "version 0 creates the table, then one MERGE per checkpoint");
        snapshot.GetTransactionVersion("gold").ShouldBe(2);
    }

    [Fact]
    public void Commit_DeleteOfAnExistingKey_RemovesItsRow()
    {
        using var temp = new TempDirectory();
        var sink = Opened(temp.File("t"), "gold");
        sink.AbortPending(0);
        var writer = Writer(sink);
        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        writer.Write(Change(RowKind.Insert, 2, "b"), 0);
        sink.Commit(1, 0, writer.PrepareCommit(1));
        writer.Write(Change(RowKind.Delete, 1, null), 0);
        writer.Write(Change(RowKind.Delete, 9, null), 0); // a key the table does not hold: nothing to delete

        sink.Commit(2, 0, writer.PrepareCommit(2));

        Read(temp.File("t")).ShouldBe([(2L, "b")]);
    }

    [Fact]
    public void Restore_CrashAfterTheDeltaCommitBeforeTheCheckpointWasAcknowledged_TheReplayIsSkipped_ALaterCheckpointApplies()
    {
        using var temp = new TempDirectory();
        var first = Opened(temp.File("t"), "gold");
        first.AbortPending(0);
        var writer = Writer(first);
        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        var five = writer.PrepareCommit(5);
        first.Commit(5, 0, five); // committed to Delta; the process dies before it is known
        // Meanwhile another writer changes the row: replaying checkpoint 5 would overwrite that change.
        DeltaTable.Open(temp.File("t")).Merge([Change(RowKind.UpdateAfter, 1, "changed")], ["id"]);
        var versionBefore = DeltaTable.Open(temp.File("t")).GetSnapshot().Version;

        var second = Opened(temp.File("t"), "gold");
        second.AbortPending(5);
        second.Commit(5, 0, five);

        DeltaTable.Open(temp.File("t")).GetSnapshot().Version.ShouldBe(versionBefore, "checkpoint 5's txn is in the log: nothing is committed again");
        Read(temp.File("t")).ShouldBe([(1L, "changed")]);
        var later = Writer(second);
        later.Write(Change(RowKind.Insert, 2, "b"), 0);
        second.Commit(6, 0, later.PrepareCommit(6));
        Read(temp.File("t")).ShouldBe([(1L, "changed"), (2L, "b")]);
        DeltaTable.Open(temp.File("t")).GetSnapshot().GetTransactionVersion("gold").ShouldBe(6);
    }

    [Fact]
    public void Restore_CrashBeforeTheDeltaCommit_TheRestoredCheckpointIsAppliedOnce()
    {
        using var temp = new TempDirectory();
        var first = Opened(temp.File("t"), "gold");
        first.AbortPending(0);
        var writer = Writer(first);
        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        writer.Write(Change(RowKind.Insert, 2, "b"), 0);
        var three = writer.PrepareCommit(3); // checkpoint 3 completes; the process dies before committing it

        var second = Opened(temp.File("t"), "gold");
        second.AbortPending(3);
        second.Commit(3, 0, three);
        second.Commit(3, 0, three);

        Read(temp.File("t")).ShouldBe([(1L, "a"), (2L, "b")]);
        var snapshot = DeltaTable.Open(temp.File("t")).GetSnapshot();
        snapshot.Version.ShouldBe(1);
        snapshot.GetTransactionVersion("gold").ShouldBe(3);
    }

    [Fact]
    public void AbortPending_TableHoldsALaterTxnOfTheUidThanTheRestoredCheckpoint_FailsAtRestoreNamingBoth()
    {
        using var temp = new TempDirectory();
        var earlier = Opened(temp.File("t"), "gold");
        earlier.AbortPending(0);
        var writer = Writer(earlier);
        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        earlier.Commit(9, 0, writer.PrepareCommit(9));

        // Restoring a savepoint taken at checkpoint 4: checkpoints 5..9 would be skipped as already applied.
        var restored = Opened(temp.File("t"), "gold");
        var error = Should.Throw<DeltaException>(() => restored.AbortPending(4));

        error.Message.ShouldContain("transaction version 9 of uid 'gold'");
        error.Message.ShouldContain("restored checkpoint 4");
        error.Message.ShouldContain(temp.File("t"));
        error.Message.ShouldContain("new sink uid");
        // A run whose checkpoints were deleted (restores nothing) is refused the same way, before any checkpoint.
        Should.Throw<DeltaException>(() => Opened(temp.File("t"), "gold").AbortPending(0)).Message.ShouldContain("restored checkpoint 0");
        // Another uid, or the checkpoint that committed it, starts.
        Opened(temp.File("t"), "gold-2").AbortPending(0);
        Opened(temp.File("t"), "gold").AbortPending(9);
    }

    [Fact]
    public void AbortPending_SecondRestoreOfTheSameSink_ChecksTheTableAgain()
    {
        using var temp = new TempDirectory();
        var sink = Opened(temp.File("t"), "gold");
        sink.AbortPending(0);
        var writer = Writer(sink);
        writer.Write(Change(RowKind.Insert, 1, "a"), 0);
        sink.Commit(3, 0, writer.PrepareCommit(3));
        sink.AbortPending(3); // an in-process restart restores the checkpoint it committed: fine

        // Between the restarts the table is replaced by an append-only one of the same schema (the cached table is stale).
        Directory.Delete(temp.File("t"), recursive: true);
        DeltaTable.Create(temp.File("t"), s_schema, configuration: new Dictionary<string, string?> { ["delta.appendOnly"] = "true" });

        var error = Should.Throw<DeltaException>(() => sink.AbortPending(3));
        error.Message.ShouldContain("append-only");
        Should.Throw<DeltaException>(() => sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System))).Message.ShouldContain("append-only");
    }

    [Fact]
    public void Write_EmptyStringInAKeyColumnThatPartitionsTheTable_FailsInTheWriterNamingTheRowAndColumn()
    {
        using var temp = new TempDirectory();
        var schema = Schema.Parse("region STRING NOT NULL, id BIGINT NOT NULL");
        var sink = new DeltaUpsertSink(temp.File("t"), schema, ["region", "id"], new DeltaSinkOptions { PartitionBy = ["region"] });
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(schema, "eu", 1L), 0);

        var error = Should.Throw<DeltaException>(() => writer.Write(Row.Of(schema, "", 2L), 0));

        error.Message.ShouldContain("empty string in key column 'region'");
        error.Message.ShouldContain($"row {Row.Of(schema, "", 2L)}");
        sink.Commit(1, 0, writer.PrepareCommit(1)); // the checkpoint holds only the accepted row and commits
        DeltaTable.Open(temp.File("t")).GetSnapshot().GetTransactionVersion("").ShouldBe(1);
    }

    [Fact]
    public async Task ToDeltaUpsert_JobWithCheckpoints_AppliesTheChangelog_TxnAppIdIsTheSinksUid()
    {
        using var temp = new TempDirectory();
        var changes = new List<Row>();
        for (var i = 0; i < 200; i++)
        {
            changes.Add(Change(RowKind.Insert, i % 50, $"v{i}"));
        }
        changes.Add(Change(RowKind.Delete, 7, null));
        var env = StreamEnvironment.Create(new JobOptions
        {
            Parallelism = 2,
            Checkpoints = Sluice.Checkpoints.CheckpointOptions.InDirectory(temp.File("checkpoints"), TimeSpan.FromMilliseconds(50)),
        });
        env.FromCollection(changes).SetParallelism(1).ToDeltaUpsert(temp.File("t"), s_schema, ["id"]).Uid("gold-uid");

        await env.ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var expected = Enumerable.Range(150, 50).Where(i => i % 50 != 7).Select(i => ((long)(i % 50), (string?)$"v{i}")).OrderBy(r => r.Item1);
        Read(temp.File("t")).ShouldBe(expected);
        var snapshot = DeltaTable.Open(temp.File("t")).GetSnapshot();
        snapshot.GetTransactionVersion("gold-uid").ShouldNotBeNull("the appId is the sink's uid, not its name");
    }

    [Fact]
    public void Write_RowOfAnotherSchema_FailsNamingTheField()
    {
        using var temp = new TempDirectory();
        var sink = Opened(temp.File("t"), "gold");
        sink.AbortPending(0);
        var writer = Writer(sink);
        var other = Schema.Parse("id BIGINT NOT NULL, name BIGINT");

        var error = Should.Throw<DeltaException>(() => writer.Write(Row.Of(other, 1L, 2L), 0));

        error.Message.ShouldContain("field 'name' is BIGINT where VARCHAR is expected");
    }

    [Fact]
    public void AbortPending_ExistingTableMissingAColumn_FailsNamingTheField()
    {
        using var temp = new TempDirectory();
        DeltaTable.Create(temp.File("t"), Schema.Parse("id BIGINT NOT NULL"));
        var sink = Opened(temp.File("t"), "gold");

        var error = Should.Throw<DeltaException>(() => sink.AbortPending(0));

        error.Message.ShouldContain("field 'name'");
        error.Message.ShouldContain("is extra");
    }

    [Fact]
    public void Restart_TableCreatedForATimestamp3Column_IsAcceptedAndTheRowsMerge()
    {
        // Delta keeps no timestamp precision: the table the sink creates reads back with TIMESTAMP(6) columns.
        using var temp = new TempDirectory();
        var schema = Schema.Parse("id BIGINT NOT NULL, at TIMESTAMP(3), seen TIMESTAMP_LTZ(3)");
        var at = new DateTime(2026, 12, 6, 10, 0, 0, 123, DateTimeKind.Unspecified);
        var seen = new DateTimeOffset(2026, 12, 6, 10, 0, 0, 456, TimeSpan.Zero);
        var first = new DeltaUpsertSink(temp.File("t"), schema, ["id"]);
        first.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)first.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));
        writer.Write(Row.Of(schema, 1L, at, seen), 0);
        first.Commit(1, 0, writer.PrepareCommit(1));

        var second = new DeltaUpsertSink(temp.File("t"), schema, ["id"]);
        second.AbortPending(1);
        var after = (ITwoPhaseSinkWriter<Row>)second.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));
        after.Write(Row.Of(schema, 2L, at, seen), 0);
        second.Commit(2, 0, after.PrepareCommit(2));

        var rows = DeltaTable.Open(temp.File("t")).ReadRows().OrderBy(r => r.GetInt64(0)).ToList();
        rows.Select(r => r.GetInt64(0)).ShouldBe([1L, 2L]);
        rows[1].GetTimestamp(1).ShouldBe(at);
        rows[1].GetTimestampLtz(2).ShouldBe(seen);
    }

    [Fact]
    public void AbortPending_TableColumnWithAnotherComment_FailsNamingTheComments()
    {
        using var temp = new TempDirectory();
        DeltaTable.Create(temp.File("t"), new Schema(new Field("id", s_schema[0].Type), new Field("name", s_schema[1].Type, "the user's name")));

        var error = Should.Throw<DeltaException>(() => Opened(temp.File("t"), "gold").AbortPending(0));

        error.Message.ShouldContain("field 'name' has the comment none where 'the user's name' is expected");
    }

    [Fact]
    public void Write_NullKey_FailsNamingTheColumn()
    {
        using var temp = new TempDirectory();
        var schema = Schema.Parse("region STRING, id BIGINT");
        var sink = new DeltaUpsertSink(temp.File("t"), schema, ["region", "id"]);
        sink.AbortPending(0);
        var writer = (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));

        var error = Should.Throw<DeltaException>(() => writer.Write(Row.Of(schema, "eu", null), 0));

        error.Message.ShouldContain("null key column 'id'");
    }

    [Fact]
    public void Committable_Version1_IsTheVersionByteTheSequenceTheCountAndTheRows()
    {
        // Golden: the committable's layout (checkpointed state) is pinned.
        var sink = new DeltaUpsertSink("/tmp/unused-delta-upsert", Schema.Parse("id BIGINT NOT NULL"), ["id"]);
        var row = Row.Of(Schema.Parse("id BIGINT NOT NULL"), 3L);
        row.Kind = RowKind.Delete;

        var committable = sink.EncodeCommittable(258, [row]);

        // version 1, sequence 258 (big-endian), 1 row: kind 3 (-D), an empty null bitmap, zig-zag 3 = 6.
        committable.ShouldBe([1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 3, 0, 6]);
        var (sequence, rows) = sink.DecodeCommittable(committable, "test");
        sequence.ShouldBe(258);
        rows.Single().Kind.ShouldBe(RowKind.Delete);
        rows.Single().GetInt64(0).ShouldBe(3);
        Should.Throw<InvalidDataException>(() => sink.DecodeCommittable([2, 0, 0, 0, 0, 0, 0, 0, 0, 0], "test"));
    }

    private static DeltaUpsertSink Opened(string path, string uid)
    {
        var sink = new DeltaUpsertSink(path, s_schema, ["id"]);
        sink.Open(new CommitterContext("DeltaUpsert(t)", "job", JobId.New(), NullLoggerFactory.Instance) { OperatorUid = uid });
        return sink;
    }

    private static ITwoPhaseSinkWriter<Row> Writer(DeltaUpsertSink sink) =>
        (ITwoPhaseSinkWriter<Row>)sink.CreateWriter(new SinkContext("s", 0, 1, TimeProvider.System));

    private static Row Change(RowKind kind, long id, string? name)
    {
        var row = Row.Of(s_schema, id, name);
        row.Kind = kind;
        return row;
    }

    private static List<(long, string?)> Read(string path) =>
        [.. DeltaTable.Open(path).ReadRows().Select(r => (r.GetInt64(0), r.IsNull(1) ? null : r.GetString(1))).OrderBy(r => r.Item1)];
}
