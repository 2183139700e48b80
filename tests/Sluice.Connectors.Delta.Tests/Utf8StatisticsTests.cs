using Sluice.Connectors.Delta.Reading;
using Sluice.Schemas;

namespace Sluice.Connectors.Delta.Tests;

/// <summary>
/// String statistics are in UTF-8 byte order, as Delta and Parquet define them: U+FFFD sorts before U+1F600 (a surrogate
/// pair in UTF-16, where it sorts the other way). Data skipping by such statistics must not prune a file holding the value.
/// </summary>
public sealed class Utf8StatisticsTests
{
    private const string Replacement = "\uFFFD";
    private const string Emoji = "\U0001F600";
    private const string FullwidthA = "\uFF21";
    private static readonly Schema s_schema = Schema.Parse("name STRING");

    [Fact]
    public void Append_StringsBeyondTheBmp_MinAndMaxInUtf8Order()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);

        table.Append([Row.Of(s_schema, Replacement), Row.Of(s_schema, Emoji), Row.Of(s_schema, "a")]);

        using var stats = System.Text.Json.JsonDocument.Parse(table.GetSnapshot().ActiveFiles.Single().Stats!);
        stats.RootElement.GetProperty("minValues").GetProperty("name").GetString().ShouldBe("a");
        stats.RootElement.GetProperty("maxValues").GetProperty("name").GetString().ShouldBe(Emoji);
    }

    [Fact]
    public void Merge_OldStyleStatisticsInUtf16Order_DoNotPrune_NoDuplicateIsInserted()
    {
        // Sluice before 2026-12 wrote string statistics in UTF-16 order: for "😀" and "Ａ" (U+FF21) min "😀", max "Ａ" —
        // an empty range in UTF-8 order, which would prune the file holding both.
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([Row.Of(s_schema, Emoji), Row.Of(s_schema, FullwidthA)]);
        RewriteStatistics(temp.File("t"), version: 1, $$$"""{"numRecords":2,"minValues":{"name":"{{{Emoji}}}"},"maxValues":{"name":"{{{FullwidthA}}}"},"nullCount":{"name":0}}""");
        var file = DeltaTable.Open(temp.File("t")).GetSnapshot().ActiveFiles.Single();
        FileStatistics.Bounds(file, "name", s_schema[0].Type).ShouldBe((null, null), "bounds UTF-16 and UTF-8 order may disagree on are unknown");

        var upsert = Row.Of(s_schema, FullwidthA);
        upsert.Kind = RowKind.UpdateAfter;
        DeltaTable.Open(temp.File("t")).Merge([upsert], ["name"]);

        var rows = DeltaTable.Open(temp.File("t")).ReadRows().Select(r => r.GetString(0)).ToList();
        rows.Count(r => r == FullwidthA).ShouldBe(1, "the file holding the key was not pruned, so MERGE updated it rather than inserting a duplicate");
        rows.Count.ShouldBe(2);
        DeltaTable.Open(temp.File("t")).ReadRows(predicate: DeltaPredicate.Equal("name", Emoji)).Count().ShouldBe(1);
    }

    [Fact]
    public void MayMatch_BoundsBelowTheSurrogates_StillPrune()
    {
        // Strings of characters below U+D800 order the same in UTF-8 and UTF-16: their statistics keep pruning.
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        table.Append([Row.Of(s_schema, "b"), Row.Of(s_schema, "c")]);
        var file = table.GetSnapshot().ActiveFiles.Single();

        FileStatistics.Bounds(file, "name", s_schema[0].Type).ShouldBe(("b", "c"));
        DeltaPredicate.Equal("name", "z").MayMatch(file, s_schema, 0, isPartitionColumn: false, "z").ShouldBeFalse();
        DeltaPredicate.Equal("name", Emoji).MayMatch(file, s_schema, 0, isPartitionColumn: false, Emoji).ShouldBeFalse();
    }

    private static void RewriteStatistics(string tablePath, long version, string stats)
    {
        var commit = Path.Combine(tablePath, "_delta_log", $"{version:D20}.json");
        var lines = File.ReadAllLines(commit);
        for (var i = 0; i < lines.Length; i++)
        {
            var action = System.Text.Json.Nodes.JsonNode.Parse(lines[i])!.AsObject();
            if (action["add"] is System.Text.Json.Nodes.JsonObject add)
            {
                add["stats"] = stats;
                lines[i] = action.ToJsonString();
            }
        }
        File.WriteAllLines(commit, lines);
    }

    [Fact]
    public void ReadRows_StatisticsOfAnotherEngineInUtf8Order_DoNotPruneTheFileHoldingTheValue()
    {
        var equal = DeltaPredicate.Equal("name", Replacement);

        equal.MayMatch(Replacement, Emoji, Replacement).ShouldBeTrue("U+FFFD lies between min U+FFFD and max U+1F600 in UTF-8 order");
        DeltaPredicate.GreaterThan("name", Replacement).MayMatch("a", Emoji, Replacement).ShouldBeTrue();
        DeltaPredicate.LessThan("name", Emoji).MayMatch(Replacement, Emoji, Emoji).ShouldBeTrue();
    }

    [Fact]
    public void Append_LongMinimumCutInsideASurrogatePair_CutBeforeThePair()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);
        var value = new string('a', 31) + Emoji + "tail"; // the pair is at units 31 and 32: a cut at 32 would split it

        table.Append([Row.Of(s_schema, value)]);

        var (min, _) = FileStatistics.Bounds(table.GetSnapshot().ActiveFiles.Single(), "name", s_schema[0].Type);
        min.ShouldBe(new string('a', 31));
        table.ReadRows(predicate: DeltaPredicate.Equal("name", value)).Count().ShouldBe(1);
    }
}
