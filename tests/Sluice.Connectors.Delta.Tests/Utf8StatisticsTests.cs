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
    private static readonly Schema s_schema = Schema.Parse("name STRING");

    [Fact]
    public void Append_StringsBeyondTheBmp_MinAndMaxInUtf8Order()
    {
        using var temp = new TempDirectory();
        var table = DeltaTable.Create(temp.File("t"), s_schema);

        table.Append([Row.Of(s_schema, Replacement), Row.Of(s_schema, Emoji), Row.Of(s_schema, "a")]);

        var file = table.GetSnapshot().ActiveFiles.Single();
        FileStatistics.Bounds(file, "name", s_schema[0].Type).ShouldBe(("a", Emoji));
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
