using System.Text.RegularExpressions;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// A <c>timestamp</c> partition value in the protocol's plain form (<c>2021-01-01 10:00:00</c>, as Spark writes it) has no
/// time zone: readers in another zone read it as their wall-clock time. Rewriting a file of such a partition (MERGE,
/// DELETE, OPTIMIZE) must keep the value as written, not turn it into a UTC instant (<c>…T10:00:00.000000Z</c>), which
/// those readers would read differently.
/// </summary>
public sealed class TimestampPartitionValueTests
{
    private const string Plain = "2021-01-01 10:00:00";
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING, at TIMESTAMP_LTZ(6)");
    private static readonly DateTimeOffset s_at = new(2021, 1, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Merge_RewritesAFileWhosePartitionValueIsInThePlainForm_KeepsTheValueAsWritten()
    {
        using var temp = new TempDirectory();
        var table = PlainPartitionTable(temp.File("t"), files: 1);

        table.Merge([Row.Of(s_schema, 1L, "updated", s_at)], ["id"]);

        PartitionValuesOfActiveFiles(table).ShouldBe([Plain]);
        table.ReadRows().Select(r => (r.GetInt64(0), r.GetString(1))).OrderBy(r => r.Item1).ShouldBe([(0L, "n0"), (1L, "updated")]);
    }

    [Fact]
    public void DeleteAndOptimize_RewriteFilesOfAPlainFormPartition_KeepTheValueAsWritten()
    {
        using var temp = new TempDirectory();
        var table = PlainPartitionTable(temp.File("t"), files: 2); // rows 0, 1 and 2, 3

        table.Delete(DeltaPredicate.Equal("id", 0L)).FilesRemoved.ShouldBe(1);
        table.Optimize().FilesRemoved.ShouldBe(2);

        PartitionValuesOfActiveFiles(table).ShouldBe([Plain]);
        table.GetSnapshot().FileCount.ShouldBe(1);
        table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public void MergeInsertAndAppend_IntoAPlainFormPartition_WriteTheValueAsItsFilesDo()
    {
        using var temp = new TempDirectory();
        var table = PlainPartitionTable(temp.File("t"), files: 1);

        table.Merge([Row.Of(s_schema, 7L, "inserted", s_at)], ["id"]); // no key matches: the shared writer inserts it
        table.Append([Row.Of(s_schema, 8L, "appended", s_at)]);

        PartitionValuesOfActiveFiles(table).ShouldBe([Plain]);
        table.GetSnapshot().FileCount.ShouldBe(3);
        table.ReadRows().Select(r => r.GetInt64(0)).Order().ShouldBe([0L, 1L, 7L, 8L]);
    }

    /// <summary>
    /// A table partitioned by <c>at</c> with <paramref name="files"/> files of two rows each (ids 0, 1, then 2, 3…) whose
    /// log holds the partition value in the plain form, as Spark writes it (the first file edited so; later appends keep it).
    /// </summary>
    private static DeltaTable PlainPartitionTable(string path, int files)
    {
        var table = DeltaTable.Create(path, s_schema, partitionBy: ["at"]);
        for (var f = 0; f < files; f++)
        {
            table.Append(Enumerable.Range(2 * f, 2).Select(i => Row.Of(s_schema, (long)i, $"n{i}", s_at)));
            var commit = Path.Combine(path, "_delta_log", $"{f + 1:D20}.json");
            var text = File.ReadAllText(commit);
            if (f > 0)
            {
                text.ShouldContain($"\"at\":\"{Plain}\"", Case.Sensitive, "an append keeps the partition's value as its first file writes it");
                continue;
            }
            var iso = Regex.Match(text, "\"at\":\"(2021-01-01T10:00:00[^\"]*Z)\"").Groups[1].Value;
            iso.ShouldNotBeEmpty("Sluice writes the ISO 8601 UTC form");
            File.WriteAllText(commit, text.Replace($"\"at\":\"{iso}\"", $"\"at\":\"{Plain}\"", StringComparison.Ordinal));
        }
        return DeltaTable.Open(path);
    }

    private static List<string?> PartitionValuesOfActiveFiles(DeltaTable table) =>
        [.. table.GetSnapshot().ActiveFiles.Select(f => f.PartitionValues["at"]).Distinct()];
}
