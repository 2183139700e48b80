using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// Sluice reads tables written by Spark and delta-rs (Data/, Apache-2.0). Expected contents come from the tables'
/// known data — the generator code and the values the reference implementations' own tests assert — not from Sluice.
/// </summary>
public sealed class InteropReadTests
{
    [Fact]
    public void Read_DeltaRsCheckpointTable_UsesTheCheckpointAndTheCommitAfterIt()
    {
        // simple_table_with_checkpoint: eleven appends of one row each (version 0..9, then 0 again), checkpoint at 10.
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-checkpoint"));
        var snapshot = table.GetSnapshot();

        snapshot.Version.ShouldBe(10);
        snapshot.Schema.ShouldBe(new Schema(new Field("version", DataType.Int)));
        snapshot.FileCount.ShouldBe(11);
        TestTables.Column(table.ReadRows(snapshot), "version").ShouldBe([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    [Fact]
    public void Read_DeltaRsCheckpointTableWithoutItsJsonCommits_ReadsFromTheCheckpointAlone()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-checkpoint", temp);
        for (var v = 0; v < 10; v++)
        {
            File.Delete(Path.Combine(path, "_delta_log", $"{v:D20}.json"));
        }

        var table = DeltaTable.Open(path);

        table.GetSnapshot().Version.ShouldBe(10);
        TestTables.Column(table.ReadRows(), "version").ShouldBe([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    [Fact]
    public void Read_SparkMultiPartCheckpoint_ReadsBothParts()
    {
        // GoldenTables.scala "multi-part-checkpoint": spark.range(1), then spark.range(30) in 9 files; checkpoint at 1 in 2 parts.
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("spark-multi-part-checkpoint", temp);
        File.Delete(Path.Combine(path, "_delta_log", $"{0:D20}.json"));
        File.Delete(Path.Combine(path, "_delta_log", $"{1:D20}.json"));

        var table = DeltaTable.Open(path);

        table.GetSnapshot().FileCount.ShouldBe(10);
        TestTables.Column(table.ReadRows(), "id").ShouldBe([0L, .. Enumerable.Range(0, 30).Select(i => (long)i)]);
    }

    [Fact]
    public void Read_MultiPartCheckpointMissingAPart_IgnoresTheCheckpointAndReplaysTheCommits()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("spark-multi-part-checkpoint", temp);
        File.Delete(Path.Combine(path, "_delta_log", "00000000000000000001.checkpoint.0000000002.0000000002.parquet"));

        var rows = DeltaTable.Open(path).ReadRows();

        TestTables.Column(rows, "id").ShouldBe([0L, .. Enumerable.Range(0, 30).Select(i => (long)i)]);
    }

    [Fact]
    public void Read_SpecialCharactersInPartitionValues_DecodesPathAndValue()
    {
        // delta-0.8.0-special-partition: x = 'A/A' (directory x=A%2FA, log path x=A%252FA) with y = 1, x = 'B B' with y = 2.
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-special-partition"));

        var rows = table.ReadRows().Select(r => (r.GetString(0), r.GetInt64(1))).OrderBy(r => r.Item2).ToList();

        rows.ShouldBe([("A/A", 1L), ("B B", 2L)]);
        table.GetSnapshot().PartitionColumns.ShouldBe(["x"]);
    }

    [Fact]
    public void Read_NullPartitionValue_ReadsNull()
    {
        // delta-0.8.0-null-partition: k = 'A' with v = 1; k = null (__HIVE_DEFAULT_PARTITION__) with v = 2.
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-null-partition"));

        var rows = table.ReadRows().Select(r => (r.IsNull(0) ? null : r.GetString(0), r.GetInt64(1))).OrderBy(r => r.Item2).ToList();

        rows.ShouldBe([("A", 1L), (null, 2L)]);
    }

    [Fact]
    public void Read_PartitionPredicate_SkipsTheOtherPartitionsFiles()
    {
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-null-partition"));

        var plan = table.PlanFiles(predicate: DeltaPredicate.Equal("k", "A"));
        var rows = table.ReadRows(predicate: DeltaPredicate.Equal("k", "A")).ToList();

        plan.ShouldBe(["k=A/part-00000-b1f1dbbb-70bc-4970-893f-9bb772bf246e.c000.snappy.parquet"]);
        rows.Select(r => r.GetInt64(1)).ShouldBe([1L]);
    }

    [Fact]
    public void Read_StatsPredicate_SkipsFilesWhoseRangeExcludesTheValue()
    {
        // multi-part-checkpoint's version 1 files carry min/max of id; only part-00002 (0..29) and part-00008 (9..23)
        // and part-00006 (8..27), part-00001 (1..21), part-00003 (10..22), part-00004 (5..24), part-00005 (6..28),
        // part-00007 (2..25) contain 20 in their range; part-00000 (3..16) and the version-0 file (0..0) do not.
        var table = DeltaTable.Open(TestTables.PathOf("spark-multi-part-checkpoint"));

        var plan = table.PlanFiles(predicate: DeltaPredicate.Equal("id", 20L));
        var rows = table.ReadRows(predicate: DeltaPredicate.Equal("id", 20L)).ToList();

        plan.Count.ShouldBe(8);
        plan.ShouldNotContain("part-00000-e3cd9d97-2f4e-40c4-825f-8ecf456540b0-c000.snappy.parquet");
        plan.ShouldNotContain("part-00000-7f49f4e3-2c9c-4ea7-b6c3-42c9a6fc6070-c000.snappy.parquet");
        rows.Select(r => r.GetInt64(0)).ShouldBe([20L]);
    }

    [Fact]
    public void TimeTravel_ByVersion_DeltaRsSimpleTable()
    {
        // simple_table: v0 writes 0..4; v1 merge; v2 overwrite with 5..9; v3 update adds 100 to even ids; v4 deletes even ids.
        var table = DeltaTable.Open(TestTables.PathOf("delta-rs-simple"));

        TestTables.Column(table.ReadRows(table.GetSnapshot(0)), "id").ShouldBe([0L, 1L, 2L, 3L, 4L]);
        TestTables.Column(table.ReadRows(table.GetSnapshot(2)), "id").ShouldBe([5L, 6L, 7L, 8L, 9L]);
        TestTables.Column(table.ReadRows(table.GetSnapshot(3)), "id").ShouldBe([5L, 7L, 9L, 106L, 108L]);
        TestTables.Column(table.ReadRows(), "id").ShouldBe([5L, 7L, 9L]);
        table.GetSnapshot().Version.ShouldBe(4);
        table.GetSnapshot().Tombstones.Count.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void TimeTravel_ByTimestamp_PicksTheLastCommitAtOrBefore()
    {
        using var temp = new TempDirectory();
        var path = TestTables.CopyTo("delta-rs-simple", temp);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var v = 0; v <= 4; v++)
        {
            File.SetLastWriteTimeUtc(Path.Combine(path, "_delta_log", $"{v:D20}.json"), start.AddMinutes(v));
        }
        var table = DeltaTable.Open(path);

        table.GetSnapshotAt(new DateTimeOffset(start.AddMinutes(2).AddSeconds(30))).Version.ShouldBe(2);
        table.GetSnapshotAt(new DateTimeOffset(start.AddMinutes(3))).Version.ShouldBe(3);
        table.GetSnapshotAt(new DateTimeOffset(start.AddDays(1))).Version.ShouldBe(4);
        Should.Throw<DeltaException>(() => table.GetSnapshotAt(new DateTimeOffset(start.AddMinutes(-1))))
            .Message.ShouldContain("no version at or before");
    }

    [Fact]
    public void Open_TableNeedingDeletionVectors_RefusesNamingTheFeature()
    {
        var error = Should.Throw<DeltaException>(() => DeltaTable.Open(TestTables.PathOf("delta-rs-deletion-vectors")));

        error.Message.ShouldContain("'deletionVectors'");
        error.Version.ShouldBe(1);
    }
}
