using System.Text.Json.Nodes;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>DELETE and MERGE by copy-on-write: expected tables computed by hand, files pruned, failures leave no trace.</summary>
public sealed class DeleteMergeTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING, amount DOUBLE");

    private static Row R(long id, string? region, double? amount, RowKind kind = RowKind.Insert)
    {
        var row = Row.Of(s_schema, id, region, amount);
        row.Kind = kind;
        return row;
    }

    private static List<(long, string?, double?)> Rows(DeltaTable table, long? version = null) =>
        [.. table.ReadRows(table.GetSnapshot(version)).Select(r => (r.GetInt64(0), r.GetString(1), r.IsNull(2) ? (double?)null : r.GetDouble(2))).OrderBy(t => t.Item1)];

    private static List<JsonObject> Commit(DeltaTable table, long version) =>
        [.. File.ReadAllLines(Path.Combine(table.Path, "_delta_log", $"{version:D20}.json")).Select(l => JsonNode.Parse(l)!.AsObject())];

    private static int ParquetFiles(DeltaTable table) => Directory.GetFiles(table.Path, "*.parquet", SearchOption.AllDirectories).Length;

    [Fact]
    public void Delete_DataPredicate_RewritesOnlyTheFileWithMatches()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "eu", 1), R(2, "us", 2), R(3, "eu", 3)]);
        table.Append([R(10, "eu", 10), R(11, "us", 11)]);
        var untouched = table.PlanFiles(predicate: DeltaPredicate.GreaterThan("id", 5L)).Single();

        var result = table.Delete(DeltaPredicate.Equal("id", 2L));

        result.ShouldBe(new DeltaOperationResult(3, FilesAdded: 1, FilesRemoved: 1, RowsInserted: 0, RowsUpdated: 0, RowsDeleted: 1, RowsCopied: 2, Attempts: 1));
        Rows(table).ShouldBe([(1, "eu", 1.0), (3, "eu", 3.0), (10, "eu", 10.0), (11, "us", 11.0)]);
        table.PlanFiles().ShouldContain(untouched);
        var commit = Commit(table, 3);
        var remove = commit.Single(a => a.ContainsKey("remove"))["remove"]!.AsObject();
        remove["dataChange"]!.GetValue<bool>().ShouldBeTrue();
        remove["extendedFileMetadata"]!.GetValue<bool>().ShouldBeTrue();
        remove["deletionTimestamp"]!.GetValue<long>().ShouldBeGreaterThan(0);
        remove["size"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var info = commit.Single(a => a.ContainsKey("commitInfo"))["commitInfo"]!;
        info["operation"]!.GetValue<string>().ShouldBe("DELETE");
        info["operationParameters"]!["predicate"]!.GetValue<string>().ShouldBe("[\"(id = 2)\"]");
        info["operationMetrics"]!["numDeletedRows"]!.GetValue<string>().ShouldBe("1");
        info["operationMetrics"]!["numCopiedRows"]!.GetValue<string>().ShouldBe("2");
        Rows(table, 2).Count.ShouldBe(5); // time travel still sees the deleted row
    }

    [Fact]
    public void Delete_PartitionPredicate_RemovesWholeFilesWithoutReadingThem()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"]);
        table.Append([R(1, "eu", 1), R(2, "us", 2), R(3, "eu", 3)]);
        // The eu file is gone from disk: a delete that read it would fail.
        File.Delete(Directory.GetFiles(Path.Combine(table.Path, "region=eu")).Single());

        var result = table.Delete(DeltaPredicate.Equal("region", "eu"));

        result.ShouldBe(new DeltaOperationResult(2, 0, 1, 0, 0, RowsDeleted: 2, RowsCopied: 0, 1));
        Rows(table).ShouldBe([(2, "us", 2.0)]);
    }

    [Fact]
    public void Delete_NoMatchingRow_CommitsNothing()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "eu", 1), R(5, "us", 2)]);

        table.Delete(DeltaPredicate.Equal("id", 3L)).Version.ShouldBeNull(); // stats say maybe, the rows say no
        table.Delete(DeltaPredicate.Equal("id", 9L)).Version.ShouldBeNull(); // stats say no

        table.GetSnapshot().Version.ShouldBe(1);
        ParquetFiles(table).ShouldBe(1);
    }

    [Fact]
    public void Merge_Upsert_UpdatesMatchedInsertsUnmatchedAndRewritesOnlyFilesWithKeys()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "a", 1), R(2, "b", 2)]);
        table.Append([R(3, "c", 3)]);
        var third = table.PlanFiles(predicate: DeltaPredicate.Equal("id", 3L)).Single();

        var result = table.Merge([R(2, "B", 20), R(4, "d", 4)], ["id"]);

        result.ShouldBe(new DeltaOperationResult(3, FilesAdded: 2, FilesRemoved: 1, RowsInserted: 1, RowsUpdated: 1, RowsDeleted: 0, RowsCopied: 1, Attempts: 1));
        Rows(table).ShouldBe([(1, "a", 1.0), (2, "B", 20.0), (3, "c", 3.0), (4, "d", 4.0)]);
        table.PlanFiles().ShouldContain(third); // keys 2 and 4 fall outside its id range [3, 3]
        var info = Commit(table, 3).Single(a => a.ContainsKey("commitInfo"))["commitInfo"]!;
        info["operation"]!.GetValue<string>().ShouldBe("MERGE");
        info["readVersion"]!.GetValue<long>().ShouldBe(2);
        info["isBlindAppend"]!.GetValue<bool>().ShouldBeFalse();
        info["operationMetrics"]!["numTargetRowsUpdated"]!.GetValue<string>().ShouldBe("1");
        info["operationMetrics"]!["numTargetRowsInserted"]!.GetValue<string>().ShouldBe("1");
        info["operationMetrics"]!["numSourceRows"]!.GetValue<string>().ShouldBe("2");
    }

    [Fact]
    public void Merge_Changelog_AppliesUpdatesDeletesAndInserts()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "a", 1), R(2, "b", 2), R(3, "c", 3)]);

        var result = table.Merge(
        [
            R(1, "a", 1, RowKind.UpdateBefore), R(1, "A", 100, RowKind.UpdateAfter),
            R(2, "b", 2, RowKind.Delete),
            R(9, "z", 9, RowKind.Delete), // deletes nothing, inserts nothing
            R(5, "e", 5),
        ], ["id"]);

        Rows(table).ShouldBe([(1, "A", 100.0), (3, "c", 3.0), (5, "e", 5.0)]);
        (result.RowsUpdated, result.RowsDeleted, result.RowsInserted, result.RowsCopied).ShouldBe((1L, 1L, 1L, 1L));
    }

    [Fact]
    public void Merge_WithoutInsertOrUpdate_OnlyTheAllowedClausesApply()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "a", 1)]);

        table.Merge([R(1, "x", 9), R(2, "y", 2)], ["id"], new DeltaMergeOptions { InsertNotMatched = false });
        Rows(table).ShouldBe([(1, "x", 9.0)]);
        table.Merge([R(1, "q", 0), R(2, "y", 2)], ["id"], new DeltaMergeOptions { UpdateMatched = false });
        Rows(table).ShouldBe([(1, "x", 9.0), (2, "y", 2.0)]);
    }

    [Fact]
    public void Merge_PartitionedByAKeyColumn_TouchesOnlyThePartitionsOfSourceKeys()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"]);
        table.Append([R(1, "eu", 1), R(2, "us", 2), R(1, "us", 3), R(3, null, 4)]);
        var us = table.PlanFiles(predicate: DeltaPredicate.Equal("region", "us")).Single();
        // The us file is gone from disk: a merge that read it would fail.
        File.Delete(Directory.GetFiles(Path.Combine(table.Path, "region=us")).Single());

        var result = table.Merge([R(1, "eu", 10), R(7, "eu", 7)], ["region", "id"]);

        result.FilesRemoved.ShouldBe(1);
        table.PlanFiles().ShouldContain(us);
        table.ReadRows(predicate: DeltaPredicate.Equal("region", "eu")).Select(r => (r.GetInt64(0), r.GetDouble(2))).Order().ShouldBe([(1L, 10.0), (7L, 7.0)]);
        table.GetSnapshot().FileCount.ShouldBe(4); // us, null, the rewritten eu file, the inserted eu file
    }

    [Fact]
    public void Merge_UpdatesMovingRowsToOtherPartitions_WriteOneFilePerPartitionForThem_NotOnePerRewrittenFile()
    {
        // Keyed by id, partitioned by region: every update moves its row to another region. Written with each rewritten
        // file, the moved rows split every file into one per region, and repeated merges multiplied the files.
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"]);
        string[] regions = ["eu", "us", "apac"];
        table.Append(Enumerable.Range(0, 30).Select(i => R(i, regions[i % 3], i)));
        table.GetSnapshot().FileCount.ShouldBe(3);

        for (var round = 1; round <= 3; round++)
        {
            table.Merge(Enumerable.Range(0, 30).Select(i => R(i, regions[(i + round) % 3], round)), ["id"]);
        }

        table.GetSnapshot().FileCount.ShouldBe(3, "each merge rewrites the three files away and writes the moved rows as one file per region");
        Rows(table).ShouldBe(Enumerable.Range(0, 30).Select(i => ((long)i, (string?)regions[(i + 3) % 3], (double?)3)));
    }

    [Fact]
    public void Merge_DuplicateSourceKey_FailsNamingTheKeyAndWritesNothing()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "a", 1)]);

        var error = Should.Throw<DeltaException>(() => table.Merge([R(5, "a", 1), R(6, "b", 1), R(5, "c", 2)], ["id"]));

        error.Message.ShouldContain("(id = 5)");
        error.Message.ShouldContain("rows 1 and 3");
        table.GetSnapshot().Version.ShouldBe(1);
        ParquetFiles(table).ShouldBe(1);
    }

    [Fact]
    public void Merge_NullKey_IsRefusedAndTableRowsWithNullKeysNeverMatch()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, null, 1), R(2, "b", 2)]);

        var error = Should.Throw<DeltaException>(() => table.Merge([R(1, null, 5)], ["region"]));
        error.Message.ShouldContain("null key column 'region'");

        table.Merge([R(3, "b", 30)], ["region"]);
        Rows(table).ShouldBe([(1, null, 1.0), (3, "b", 30.0)]);
    }

    [Fact]
    public void Merge_EmptyStringInAPartitioningKeyColumn_IsRefused_ElseItWouldInsertANewRowEveryTime()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"]);
        table.Append([R(1, "a", 1)]);

        var error = Should.Throw<DeltaException>(() => table.Merge([R(2, "", 5)], ["region", "id"]));

        error.Message.ShouldContain("empty string in key column 'region'");
        error.Message.ShouldContain("source row 1");
        table.GetSnapshot().Version.ShouldBe(1);
        Rows(table).ShouldBe([(1, "a", 1.0)]);
    }

    [Fact]
    public void Merge_UnknownKeyColumnOrOtherSchema_IsRefused()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);

        Should.Throw<ArgumentException>(() => table.Merge([R(1, "a", 1)], ["nope"])).Message.ShouldContain("'nope'");
        var other = Schema.Parse("id BIGINT NOT NULL");
        Should.Throw<DeltaException>(() => table.Merge([Row.Of(other, 1L)], ["id"])).Message.ShouldContain("source row 1");
    }

    [Fact]
    public void Merge_AppendOnlyTable_IsRefused()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, configuration: new Dictionary<string, string?> { ["delta.appendOnly"] = "true" });
        table.Append([R(1, "a", 1)]);

        Should.Throw<DeltaException>(() => table.Merge([R(1, "b", 2)], ["id"])).Message.ShouldContain("append-only");
        Should.Throw<DeltaException>(() => table.Delete()).Message.ShouldContain("append-only");
        table.Merge([R(2, "b", 2)], ["id"], new DeltaMergeOptions { UpdateMatched = false }).RowsInserted.ShouldBe(1);
    }

    [Fact]
    public void Merge_DataFileUnreadable_FailsAndLeavesNoTrace()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([R(1, "a", 1)]);
        table.Append([R(2, "b", 2)]);
        table.Append([R(3, "c", 3)]);
        var second = table.PlanFiles(predicate: DeltaPredicate.Equal("id", 2L)).Single();
        File.WriteAllText(Path.Combine(table.Path, second), "not parquet");

        Should.Throw<DeltaException>(() => table.Merge([R(1, "x", 1), R(2, "y", 2), R(3, "z", 3), R(4, "w", 4)], ["id"])).FileName.ShouldBe(second);

        table.GetSnapshot().Version.ShouldBe(3);
        ParquetFiles(table).ShouldBe(3); // the files it had rewritten before failing are gone
    }

    [Fact]
    public void Merge_ConcurrentAppendOfASourceKey_PlansAgainAndUpdatesIt()
    {
        using var temp = new TempDirectory();
        var appended = 0;
        DeltaTable? other = null;
        var options = new DeltaTableOptions { BeforeRewriteCommit = () => { if (appended++ == 0) { other!.Append([R(2, "late", 0)]); } } };
        var table = DeltaTable.Create(temp.File("t"), s_schema, options: options);
        other = DeltaTable.Open(table.Path);
        table.Append([R(1, "a", 1), R(3, "c", 3)]);

        var result = table.Merge([R(2, "B", 20)], ["id"]);

        result.Attempts.ShouldBe(2);
        result.Version.ShouldBe(3);
        Rows(table).ShouldBe([(1, "a", 1.0), (2, "B", 20.0), (3, "c", 3.0)]); // as if the append came first
        ParquetFiles(table).ShouldBe(3); // the first plan's insert file was deleted
    }

    [Fact]
    public void Merge_ConcurrentAppendOutsideTheSourceKeys_IsSerializedBeforeIt()
    {
        using var temp = new TempDirectory();
        var appended = 0;
        DeltaTable? other = null;
        var options = new DeltaTableOptions { BeforeRewriteCommit = () => { if (appended++ == 0) { other!.Append([R(50, "far", 0)]); } } };
        var table = DeltaTable.Create(temp.File("t"), s_schema, options: options);
        other = DeltaTable.Open(table.Path);
        table.Append([R(1, "a", 1), R(3, "c", 3)]);

        var result = table.Merge([R(1, "A", 10)], ["id"]);

        result.Attempts.ShouldBe(1);
        result.Version.ShouldBe(3);
        Rows(table).ShouldBe([(1, "A", 10.0), (3, "c", 3.0), (50, "far", 0.0)]);
    }

    [Fact]
    public void Delete_ConcurrentMergeRemovedTheFileItRead_PlansAgain()
    {
        using var temp = new TempDirectory();
        var merged = 0;
        DeltaTable? other = null;
        var options = new DeltaTableOptions { BeforeRewriteCommit = () => { if (merged++ == 0) { other!.Merge([R(3, "c", 30)], ["id"]); } } };
        var table = DeltaTable.Create(temp.File("t"), s_schema, options: options);
        other = DeltaTable.Open(table.Path);
        table.Append([R(1, "a", 1), R(3, "c", 3)]);

        var result = table.Delete(DeltaPredicate.Equal("id", 1L));

        result.Attempts.ShouldBe(2);
        Rows(table).ShouldBe([(3, "c", 30.0)]);
    }

    [Fact]
    public async Task MergeAndAppend_Racing_BothCommitAndTheResultIsASerialOrder()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([.. Enumerable.Range(0, 20).Select(i => R(i, "x", i))]);
        using var start = new Barrier(2);

        var merge = Task.Run(() =>
        {
            var own = DeltaTable.Open(table.Path);
            start.SignalAndWait();
            for (var n = 0; n < 5; n++)
            {
                own.Merge([R(n, "m", 100 + n), R(100 + n, "m", 0)], ["id"]);
            }
        });
        var append = Task.Run(() =>
        {
            var own = DeltaTable.Open(table.Path);
            start.SignalAndWait();
            for (var n = 0; n < 5; n++)
            {
                own.Append([R(200 + n, "a", 0)]);
            }
        });
        await Task.WhenAll(merge, append);

        table.GetSnapshot().Version.ShouldBe(11);
        var expected = Enumerable.Range(0, 20).Select(i => (long)i).Concat(Enumerable.Range(100, 5).Select(i => (long)i)).Concat(Enumerable.Range(200, 5).Select(i => (long)i)).Order();
        Rows(table).Select(r => r.Item1).ShouldBe(expected);
        Rows(table).Where(r => r.Item1 < 5).Select(r => r.Item2).ShouldAllBe(region => region == "m");
    }
}
