using System.Text.Json;
using Sluice.Connectors.Delta;
using Sluice.Schemas;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice delta history|describe|optimize|vacuum</c> against a table written through the Delta API.</summary>
public sealed class DeltaCommandTests : IDisposable
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, region STRING");
    private readonly string _path = Path.Combine(Path.GetTempPath(), "sluice-delta-" + Guid.NewGuid().ToString("N"));
    private readonly DeltaTable _table;

    public DeltaCommandTests()
    {
        _table = DeltaTable.Create(_path, s_schema, partitionBy: ["region"]);
        for (var n = 0; n < 3; n++)
        {
            _table.Append([Row.Of(s_schema, (long)n, "eu"), Row.Of(s_schema, 10L + n, "us")]);
        }
        _table.Merge([Row.Of(s_schema, 1L, "eu"), Row.Of(s_schema, 5L, "eu")], ["id"]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    [Fact]
    public void History_Json_ListsCommitsNewestFirstWithOperationsAndMetrics()
    {
        var result = CliProcess.Run(null, "delta", "history", _path, "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var commits = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        commits.Select(c => (c.GetProperty("version").GetInt64(), c.GetProperty("operation").GetString()))
            .ShouldBe([(4L, "MERGE"), (3L, "WRITE"), (2L, "WRITE"), (1L, "WRITE"), (0L, "CREATE TABLE")]);
        commits[0].GetProperty("operationMetrics").GetProperty("numTargetRowsUpdated").GetString().ShouldBe("1");
        commits[0].GetProperty("operationMetrics").GetProperty("numTargetRowsInserted").GetString().ShouldBe("1");
        commits[1].GetProperty("operationMetrics").GetProperty("numOutputRows").GetString().ShouldBe("2");
        commits[1].GetProperty("operationParameters").GetProperty("mode").GetString().ShouldBe("Append");

        var limited = CliProcess.Run(null, "delta", "history", _path, "--limit", "2");
        limited.ExitCode.ShouldBe(0, limited.Stderr);
        limited.Stdout.ShouldContain("MERGE");
        limited.Stdout.ShouldContain("numOutputRows=2");
        limited.Stdout.ShouldNotContain("CREATE TABLE");
    }

    [Fact]
    public void Describe_Json_GivesVersionSchemaPartitionsFilesAndRows()
    {
        var result = CliProcess.Run(null, "delta", "describe", _path, "--json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        root.GetProperty("version").GetInt64().ShouldBe(4);
        root.GetProperty("numRecords").GetInt64().ShouldBe(7);
        root.GetProperty("numFiles").GetInt32().ShouldBe(_table.GetSnapshot().FileCount);
        root.GetProperty("partitionColumns").EnumerateArray().Select(c => c.GetString()).ShouldBe(["region"]);
        root.GetProperty("schema").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ShouldBe(["id", "region"]);
    }

    [Fact]
    public void OptimizeThenVacuum_PacksAPartitionThenDeletesThePackedFilesOnlyWhenForced()
    {
        var optimize = CliProcess.Run(null, "delta", "optimize", _path, "--where", "region = 'us'", "--target-size", "64MiB");
        optimize.ExitCode.ShouldBe(0, optimize.Stderr);
        optimize.Stdout.ShouldContain("Version 5: packed 3 files into 1 (3 rows).");
        _table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([0L, 1, 2, 5, 10, 11, 12]);

        var refused = CliProcess.Run(null, "delta", "vacuum", _path, "--retain-hours", "0");
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain("refused");
        refused.Stderr.ShouldNotContain("   at ");

        var dry = CliProcess.Run(null, "delta", "vacuum", _path, "--retain-hours", "0", "--force", "--dry-run", "--json");
        dry.ExitCode.ShouldBe(0, dry.Stderr);
        var files = JsonDocument.Parse(dry.Stdout).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        files.Count.ShouldBe(4); // three packed us files and the eu file the merge rewrote
        files.ShouldAllBe(f => File.Exists(Path.Combine(_path, f)));

        var vacuum = CliProcess.Run(null, "delta", "vacuum", _path, "--retain-hours", "0", "--force");
        vacuum.ExitCode.ShouldBe(0, vacuum.Stderr);
        vacuum.Stdout.ShouldContain("Deleted 4 files");
        files.ShouldAllBe(f => !File.Exists(Path.Combine(_path, f)));
        _table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([0L, 1, 2, 5, 10, 11, 12]);
    }

    [Fact]
    public void Errors_NotATableBadWhereBadSize_OneLineEach()
    {
        var missing = CliProcess.Run(null, "delta", "history", Path.Combine(_path, "nope"));
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldContain("is not a Delta table");

        var column = CliProcess.Run(null, "delta", "optimize", _path, "--where", "zone = 'eu'");
        column.ExitCode.ShouldBe(1);
        column.Stderr.ShouldContain("column 'zone'");

        var data = CliProcess.Run(null, "delta", "optimize", _path, "--where", "id >= 3");
        data.ExitCode.ShouldBe(1);
        data.Stderr.ShouldContain("partition column");

        var size = CliProcess.Run(null, "delta", "optimize", _path, "--target-size", "lots");
        size.ExitCode.ShouldBe(1);
        size.Stderr.ShouldContain("--target-size 'lots'");
    }
}
