using System.Text.Json.Nodes;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>OPTIMIZE packs small files without changing data; VACUUM deletes only files no retained version references.</summary>
public sealed class OptimizeVacuumTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING");

    /// <summary>The system clock moved by an offset: file ages are real modification times, "now" is later.</summary>
    private sealed class ShiftedTime(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;
    }

    private static List<long> Ids(DeltaTable table, long? version = null) => [.. table.ReadRows(table.GetSnapshot(version)).Select(r => r.GetInt64(0)).Order()];

    private static List<JsonObject> Actions(DeltaTable table, long version) =>
        [.. File.ReadAllLines(Path.Combine(table.Path, "_delta_log", $"{version:D20}.json")).Select(l => JsonNode.Parse(l)!.AsObject())];

    private static DeltaTable ThreeAppends(TempDirectory temp, DeltaTableOptions? options = null)
    {
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"], options: options);
        for (var n = 0; n < 3; n++)
        {
            table.Append([Row.Of(s_schema, (long)n, "eu"), Row.Of(s_schema, 10L + n, "us")]);
        }
        return table;
    }

    [Fact]
    public void Optimize_SmallFiles_PackedIntoOneFilePerPartitionWithoutDataChange()
    {
        using var temp = new TempDirectory();
        var table = ThreeAppends(temp);

        var result = table.Optimize();

        result.ShouldBe(new DeltaOperationResult(4, FilesAdded: 2, FilesRemoved: 6, 0, 0, 0, RowsCopied: 6, Attempts: 1));
        table.GetSnapshot().FileCount.ShouldBe(2);
        Ids(table).ShouldBe([0, 1, 2, 10, 11, 12]);
        var actions = Actions(table, 4);
        actions.Where(a => a.ContainsKey("add")).Select(a => a["add"]!["dataChange"]!.GetValue<bool>()).ShouldBe([false, false]);
        actions.Where(a => a.ContainsKey("remove")).Select(a => a["remove"]!["dataChange"]!.GetValue<bool>()).ShouldAllBe(c => !c);
        actions.Single(a => a.ContainsKey("commitInfo"))["commitInfo"]!["operation"]!.GetValue<string>().ShouldBe("OPTIMIZE");
        table.Optimize().Version.ShouldBeNull(); // nothing left to pack
    }

    [Fact]
    public void Optimize_WhereAndTargetSize_PackOnlyWhatTheyAllow()
    {
        using var temp = new TempDirectory();
        var table = ThreeAppends(temp);

        table.Optimize(new DeltaOptimizeOptions { Where = DeltaPredicate.Equal("region", "us") }).FilesRemoved.ShouldBe(3);
        table.GetSnapshot().FileCount.ShouldBe(4);
        table.Optimize(new DeltaOptimizeOptions { TargetFileSize = 1 }).Version.ShouldBeNull(); // every file is already "large"
        Should.Throw<ArgumentException>(() => table.Optimize(new DeltaOptimizeOptions { Where = DeltaPredicate.Equal("id", 1L) })).Message.ShouldContain("partition column");
    }

    [Fact]
    public void Optimize_ConcurrentAppend_DoesNotConflict()
    {
        using var temp = new TempDirectory();
        DeltaTable? other = null;
        var fired = 0;
        var table = ThreeAppends(temp, new DeltaTableOptions { BeforeRewriteCommit = () => { if (fired++ == 0) { other!.Append([Row.Of(s_schema, 99L, "eu")]); } } });
        other = DeltaTable.Open(table.Path);

        var result = table.Optimize();

        result.Version.ShouldBe(5);
        Ids(table).ShouldBe([0, 1, 2, 10, 11, 12, 99]);
        table.GetSnapshot().FileCount.ShouldBe(3);
    }

    [Fact]
    public void Optimize_ConcurrentDeleteOfAPackedFile_FailsAndLeavesNoTrace()
    {
        using var temp = new TempDirectory();
        DeltaTable? other = null;
        var fired = 0;
        var table = ThreeAppends(temp, new DeltaTableOptions { BeforeRewriteCommit = () => { if (fired++ == 0) { other!.Delete(DeltaPredicate.Equal("id", 1L)); } } });
        other = DeltaTable.Open(table.Path);
        var filesBefore = Directory.GetFiles(table.Path, "*.parquet", SearchOption.AllDirectories).Length;

        var error = Should.Throw<DeltaException>(() => table.Optimize());

        error.Message.ShouldContain("removed data file");
        table.GetSnapshot().Version.ShouldBe(4); // only the delete
        Ids(table).ShouldBe([0, 2, 10, 11, 12]);
        Directory.GetFiles(table.Path, "*.parquet", SearchOption.AllDirectories).Length.ShouldBe(filesBefore); // the delete emptied its file (nothing to rewrite); the packed files are gone
    }

    [Fact]
    public void Vacuum_TableNeedingAWriterFeatureSluiceLacks_IsRefusedBeforeAnythingIsDeletedOrCommitted()
    {
        using var temp = new TempDirectory();
        var table = ThreeAppends(temp);
        File.WriteAllText(Path.Combine(table.Path, "_delta_log", $"{4:D20}.json"),
            """{"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["inCommitTimestamp"]}}""" + "\n");
        var untracked = Path.Combine(table.Path, "region=eu", "untracked.parquet");
        File.WriteAllText(untracked, "not referenced by any add");
        File.SetLastWriteTimeUtc(untracked, DateTime.UtcNow.AddDays(-30));

        var error = Should.Throw<DeltaException>(() => table.Vacuum(TimeSpan.Zero, force: true));

        error.Message.ShouldContain("inCommitTimestamp");
        File.Exists(untracked).ShouldBeTrue();
        table.GetSnapshot().Version.ShouldBe(4);
    }

    [Fact]
    public void Vacuum_DeletesOnlyUnreferencedOldFiles_AndNeverTheLogOrHiddenFiles()
    {
        using var temp = new TempDirectory();
        var table = ThreeAppends(temp);
        table.Optimize(); // version 4: the six small files are now only referenced by versions 1-3
        var old = DateTime.UtcNow.AddDays(-10);
        foreach (var file in Directory.GetFiles(table.Path, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, old);
        }
        File.WriteAllText(Path.Combine(table.Path, "region=eu", "stray.parquet"), "left by a crashed writer");
        File.SetLastWriteTimeUtc(Path.Combine(table.Path, "region=eu", "stray.parquet"), old);
        File.WriteAllText(Path.Combine(table.Path, "young.parquet"), "a write in flight");
        Directory.CreateDirectory(Path.Combine(table.Path, "_hidden"));
        File.WriteAllText(Path.Combine(table.Path, "_hidden", "x.parquet"), "hidden");
        File.WriteAllText(Path.Combine(table.Path, ".dot.parquet"), "hidden");
        File.SetLastWriteTimeUtc(Path.Combine(table.Path, "_hidden", "x.parquet"), old);
        File.SetLastWriteTimeUtc(Path.Combine(table.Path, ".dot.parquet"), old);
        var logFiles = Directory.GetFiles(Path.Combine(table.Path, "_delta_log")).Length;

        var dry = table.Vacuum(dryRun: true);
        dry.Files.Count.ShouldBe(7);
        dry.Files.ShouldContain("region=eu/stray.parquet");
        dry.OldestRetainedVersion.ShouldBe(4);
        Directory.GetFiles(Path.Combine(table.Path, "_delta_log")).Length.ShouldBe(logFiles);

        var result = table.Vacuum();

        result.Files.ShouldBe(dry.Files);
        Ids(table).ShouldBe([0, 1, 2, 10, 11, 12]);
        File.Exists(Path.Combine(table.Path, "young.parquet")).ShouldBeTrue();
        File.Exists(Path.Combine(table.Path, "_hidden", "x.parquet")).ShouldBeTrue();
        File.Exists(Path.Combine(table.Path, ".dot.parquet")).ShouldBeTrue();
        Directory.GetFiles(table.Path, "part-*.parquet", SearchOption.AllDirectories).Length.ShouldBe(2);
        Actions(table, 5).Single()["commitInfo"]!["operation"]!.GetValue<string>().ShouldBe("VACUUM START");
        Actions(table, 5).Single()["commitInfo"]!["operationMetrics"]!["numFilesToDelete"]!.GetValue<string>().ShouldBe("7");
        Actions(table, 6).Single()["commitInfo"]!["operation"]!.GetValue<string>().ShouldBe("VACUUM END");
    }

    [Fact]
    public void Vacuum_AWriterCreatesAFileInAnEmptiedPartitionDirectoryBeforeItIsDeleted_KeepsTheDirectoryAndCompletes()
    {
        using var temp = new TempDirectory();
        string? concurrent = null;
        var options = new DeltaTableOptions
        {
            // A writer of the same partition creates its file between VACUUM's emptiness check and its delete.
            BeforeVacuumDeletesDirectory = d => File.WriteAllText(concurrent = Path.Combine(d, "part-concurrent.parquet"), "in flight"),
        };
        var table = DeltaTable.Create(temp.File("t"), s_schema, partitionBy: ["region"], options: options);
        table.Append([Row.Of(s_schema, 1L, "eu")]);
        table.Delete(); // the eu file is now referenced by version 1 only
        foreach (var file in Directory.GetFiles(table.Path, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-10));
        }

        var result = table.Vacuum();

        result.Files.Count.ShouldBe(1);
        result.Files[0].ShouldStartWith("region=eu/part-");
        concurrent.ShouldNotBeNull();
        File.Exists(concurrent).ShouldBeTrue("the writer's file and its directory stay");
        Actions(table, table.GetSnapshot().Version).Single()["commitInfo"]!["operation"]!.GetValue<string>().ShouldBe("VACUUM END");
    }

    [Fact]
    public void Vacuum_KeepsFilesOfVersionsWithinTheRetention_UntilTheyAge()
    {
        using var temp = new TempDirectory();
        var table = ThreeAppends(temp);
        table.Optimize(); // version 4
        var now = DateTime.UtcNow;
        foreach (var file in Directory.GetFiles(table.Path, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, now.AddDays(-10));
        }
        // The OPTIMIZE was committed a day ago: version 3 (the six small files) is current until then, so it is retained.
        File.SetLastWriteTimeUtc(Path.Combine(table.Path, "_delta_log", $"{4:D20}.json"), now.AddDays(-1));

        var result = table.Vacuum();
        result.Files.ShouldBeEmpty();
        result.OldestRetainedVersion.ShouldBe(3);
        Ids(table, 3).ShouldBe([0, 1, 2, 10, 11, 12]);

        var later = DeltaTable.Open(table.Path, new DeltaTableOptions { TimeProvider = new ShiftedTime(TimeSpan.FromDays(7)) });
        later.Vacuum().Files.Count.ShouldBe(6);
        Ids(later).ShouldBe([0, 1, 2, 10, 11, 12]);
        Should.Throw<DeltaException>(() => Ids(later, 3)).Message.ShouldContain("missing");
    }

    [Fact]
    public void Vacuum_RetentionShorterThanTheTables_IsRefusedUnlessForced()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema, configuration: new Dictionary<string, string?> { ["delta.deletedFileRetentionDuration"] = "interval 2 days" });

        Should.Throw<DeltaException>(() => table.Vacuum(TimeSpan.FromHours(47))).Message.ShouldContain("48 hours");
        table.Vacuum(TimeSpan.FromHours(48), dryRun: true).DryRun.ShouldBeTrue();
        table.Vacuum(TimeSpan.Zero, dryRun: true, force: true).Files.ShouldBeEmpty();
        DeltaTable.ParseInterval("interval 1 week").ShouldBe(TimeSpan.FromDays(7));
        DeltaTable.ParseInterval("36 hours").ShouldBe(TimeSpan.FromHours(36));
        DeltaTable.ParseInterval("soon").ShouldBeNull();
    }
}
