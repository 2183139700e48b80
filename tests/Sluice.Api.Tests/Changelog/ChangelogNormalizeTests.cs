using Sluice.Changelog;
using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Api.Tests.Changelog;

/// <summary><see cref="ChangelogStreamExtensions.NormalizeChangelog"/>: Flink's ChangelogNormalize over keyed state.</summary>
public sealed class ChangelogNormalizeTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");

    private static Row Of(RowKind kind, long id, string? name)
    {
        var row = Row.Of(s_schema, id, name);
        row.Kind = kind;
        return row;
    }

    private static DataStream<Row> Normalize(DataStream<Row> rows) => rows.NormalizeChangelog(s_schema, ["id"]).Uid("normalize");

    private static string[] Texts(IEnumerable<Row> rows) => [.. rows.Select(static r => r.ToString())];

    [Fact]
    public void NormalizeChangelog_FirstRowThenUpdateOfTheSameKey_InsertThenUpdatePair()
    {
        using var driver = new OperatorTestDriver<Row, Row>(Normalize);

        driver.ProcessElement(Of(RowKind.UpdateAfter, 1, "Ada"), 10).ProcessElement(Of(RowKind.UpdateAfter, 1, "Ann"), 20).Finish();

        Texts(driver.Values).ShouldBe(["+I[1, Ada]", "-U[1, Ada]", "+U[1, Ann]"]);
        driver.Output.Select(static o => o.Timestamp).ShouldBe([10L, 20L, 20L], "each output carries its input's timestamp");
    }

    [Fact]
    public void NormalizeChangelog_RepeatedTombstones_OneDeleteWithThePreviousRow()
    {
        using var driver = new OperatorTestDriver<Row, Row>(Normalize);

        driver.ProcessElement(Of(RowKind.UpdateAfter, 2, "Bob")).ProcessElement(Of(RowKind.Delete, 2, null)).ProcessElement(Of(RowKind.Delete, 2, null))
            .ProcessElement(Of(RowKind.Delete, 3, null)).Finish();

        Texts(driver.Values).ShouldBe(["+I[2, Bob]", "-D[2, Bob]"]);
    }

    [Fact]
    public void NormalizeChangelog_UnchangedRowOrUpdateBefore_AsFlink()
    {
        using var driver = new OperatorTestDriver<Row, Row>(Normalize);

        driver.ProcessElement(Of(RowKind.Insert, 1, "Ada")).ProcessElement(Of(RowKind.UpdateAfter, 1, "Ada"))
            .ProcessElement(Of(RowKind.UpdateBefore, 1, "Ada")).ProcessElement(Of(RowKind.Insert, 1, "Ann")).Finish();

        // An unchanged row emits nothing; a -U retracts the key's row (as a delete); the key then starts again.
        Texts(driver.Values).ShouldBe(["+I[1, Ada]", "-D[1, Ada]", "+I[1, Ann]"]);
    }

    [Fact]
    public void NormalizeChangelog_InputRows_AreNotChanged()
    {
        var update = Of(RowKind.UpdateAfter, 1, "Ada");
        using var driver = new OperatorTestDriver<Row, Row>(Normalize);

        driver.ProcessElement(update).Finish();

        update.Kind.ShouldBe(RowKind.UpdateAfter);
        Texts(driver.Values).ShouldBe(["+I[1, Ada]"]);
    }

    [Fact]
    public void NormalizeChangelog_RestoredAtAnotherParallelism_KeepsTheLastRowOfEveryKey()
    {
        TestSnapshot snapshot;
        using (var before = new OperatorTestDriver<Row, Row>(Normalize, new JobOptions { Parallelism = 2 }))
        {
            before.ProcessElement(Of(RowKind.UpdateAfter, 1, "Ada")).ProcessElement(Of(RowKind.UpdateAfter, 2, "Bob"))
                .ProcessElement(Of(RowKind.UpdateAfter, 3, "Cy")).ProcessElement(Of(RowKind.Delete, 3, null));
            snapshot = before.Snapshot();
        }
        using var after = new OperatorTestDriver<Row, Row>(Normalize, new JobOptions { Parallelism = 3 });

        after.InitializeState(snapshot)
            .ProcessElement(Of(RowKind.UpdateAfter, 1, "Ann")).ProcessElement(Of(RowKind.Delete, 2, null)).ProcessElement(Of(RowKind.Delete, 2, null))
            .ProcessElement(Of(RowKind.Delete, 3, null)).ProcessElement(Of(RowKind.UpdateAfter, 4, "Dee")).Finish();

        var texts = Texts(after.Values);
        texts.Where(static t => t.Contains("[1,", StringComparison.Ordinal)).ShouldBe(["-U[1, Ada]", "+U[1, Ann]"]);
        texts.Where(static t => t.Contains("[2,", StringComparison.Ordinal)).ShouldBe(["-D[2, Bob]"]);
        texts.Length.ShouldBe(4, "key 3 was deleted before the snapshot: its tombstone emits nothing; key 4 is new (+I)");
        texts.ShouldContain("+I[4, Dee]");
    }

    [Fact]
    public void NormalizeChangelog_UnknownKeyField_NamesFieldAndSchema()
    {
        var env = StreamEnvironment.Create();
        var rows = env.FromCollection([Of(RowKind.Insert, 1, "Ada")]);

        Should.Throw<ArgumentException>(() => rows.NormalizeChangelog(s_schema, ["user"])).Message
            .ShouldStartWith("Key field 'user' is not a field of ROW<id BIGINT NOT NULL, name VARCHAR>.");
    }

    /// <summary>
    /// Golden: the key string is stored in checkpoints and decides the key group, so its encoding is pinned. Per field a
    /// presence byte (00 null, 01 present), then: VARCHAR as LEB128 UTF-8 length and bytes ("é" = 02 C3 A9), INT and
    /// BIGINT zig-zag LEB128 (-1 = 01, 300 = D8 04); one char per byte.
    /// </summary>
    [Fact]
    public void RowKeyEncoder_Encoding_IsPinned()
    {
        var schema = Schema.Parse("a STRING, n INT, b BIGINT, d DATE, other STRING");
        var keys = new RowKeyEncoder(schema, ["a", "n", "b", "d"]);

        keys.Encode(Row.Of(schema, "é", -1, 300L, null, "ignored"))
            .ShouldBe("\u0001\u0002\u00C3\u00A9" + "\u0001\u0001" + "\u0001\u00D8\u0004" + "\u0000");
    }

    [Theory]
    [InlineData("a,b", "c", "a", "b,c")]
    [InlineData("", null, null, "")]
    [InlineData("x", "", "x", null)]
    public void RowKeyEncoder_DifferentKeyFields_DifferentKeys(string? a1, string? b1, string? a2, string? b2)
    {
        var schema = Schema.Parse("a STRING, b STRING, n INT");
        var keys = new RowKeyEncoder(schema, ["a", "b"]);

        keys.Encode(Row.Of(schema, a1, b1, 1)).ShouldNotBe(keys.Encode(Row.Of(schema, a2, b2, 1)));
        keys.Encode(Row.Of(schema, a1, b1, 1)).ShouldBe(keys.Encode(Row.Of(schema, a1, b1, 2)), "fields outside the key do not matter");
    }
}
