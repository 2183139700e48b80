using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests.Compatibility;

/// <summary>Modes over several versions, the reasons' wording, and the edges of <see cref="CompatibilityChecker.Check"/>.</summary>
public sealed class CompatibilityCheckerTests
{
    private static readonly ParsedSchema s_aOnly = Avro("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
    private static readonly ParsedSchema s_bWithDefault = Avro("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""");
    private static readonly ParsedSchema s_bRequired = Avro("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""");

    [Fact]
    public void Check_BackwardTransitive_RefusesWhatOnlyTheLatestAccepts()
    {
        // v3 reads v2's data (v2 wrote b) but not v1's (v1 never wrote b and v3 gives it no default).
        (int, ParsedSchema)[] history = [(1, s_aOnly), (2, s_bWithDefault)];

        CompatibilityChecker.Check(CompatibilityLevel.Backward, s_bRequired, history).ShouldBeEmpty();
        var reasons = CompatibilityChecker.Check(CompatibilityLevel.BackwardTransitive, s_bRequired, history);

        reasons.ShouldHaveSingleItem().ShouldBe(
            "BACKWARD_TRANSITIVE check against version 1 (the new schema reading data written with version 1): "
            + "READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/1': the reader's field 'b' has no default value and is missing from the writer's record 'R'.");
        // Against v2 alone both directions hold: v2 reads v3's b, v3 reads v2's b.
        CompatibilityChecker.Check(CompatibilityLevel.Full, s_bRequired, history).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ForwardTransitive_RefusesWhatOnlyTheLatestAccepts()
    {
        // v2 (b with default) reads v3's data (no b); v1 (b required) does not.
        (int, ParsedSchema)[] history = [(1, s_bRequired), (2, s_bWithDefault)];

        CompatibilityChecker.Check(CompatibilityLevel.Forward, s_aOnly, history).ShouldBeEmpty();
        CompatibilityChecker.Check(CompatibilityLevel.Full, s_aOnly, history).ShouldBeEmpty();
        var forward = CompatibilityChecker.Check(CompatibilityLevel.ForwardTransitive, s_aOnly, history);
        var full = CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, s_aOnly, history);

        forward.ShouldHaveSingleItem().ShouldStartWith("FORWARD_TRANSITIVE check against version 1 (version 1 reading data written with the new schema): READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/1'");
        full.ShouldHaveSingleItem().ShouldStartWith("FULL_TRANSITIVE check against version 1 (version 1 reading data written with the new schema)");
    }

    [Fact]
    public void Check_NonTransitive_ComparesOnlyTheLastVersion()
    {
        // v1 is long: the candidate int cannot read it, but BACKWARD only looks at v2.
        var v1 = Avro("""{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""");

        CompatibilityChecker.Check(CompatibilityLevel.Backward, s_aOnly, [(1, v1), (2, s_aOnly)]).ShouldBeEmpty();
        CompatibilityChecker.Check(CompatibilityLevel.BackwardTransitive, s_aOnly, [(1, v1), (2, s_aOnly)]).ShouldHaveSingleItem().ShouldContain("TYPE_MISMATCH at '/fields/0/type': the reader's type int cannot read the writer's type long");
    }

    [Fact]
    public void Check_NoPreviousVersionOrNone_IsCompatible()
    {
        foreach (var level in Enum.GetValues<CompatibilityLevel>())
        {
            CompatibilityChecker.Check(level, s_bRequired, []).ShouldBeEmpty(level.ToString());
        }
        CompatibilityChecker.Check(CompatibilityLevel.None, s_bRequired, [(1, Avro("\"string\""))]).ShouldBeEmpty();
    }

    [Fact]
    public void Check_DifferentSchemaTypes_IsIncompatibleSayingSo()
    {
        var json = SchemaParser.Parse(SchemaType.Json, """{"type":"object"}""");

        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Backward, json, [(3, s_aOnly)]);

        reasons.ShouldHaveSingleItem().ShouldBe("BACKWARD check against version 3: SCHEMA_TYPE_MISMATCH: the new schema is JSON but version 3 is AVRO; a subject's versions must keep one schema type.");
    }

    [Fact]
    public void Check_Full_ReportsBothDirections()
    {
        // int → string: neither side reads the other.
        var candidate = Avro("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");

        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Full, candidate, [(4, s_aOnly)]);

        reasons.Count.ShouldBe(2);
        reasons[0].ShouldBe("FULL check against version 4 (the new schema reading data written with version 4): TYPE_MISMATCH at '/fields/0/type': the reader's type string cannot read the writer's type int.");
        reasons[1].ShouldBe("FULL check against version 4 (version 4 reading data written with the new schema): TYPE_MISMATCH at '/fields/0/type': the reader's type int cannot read the writer's type string.");
    }

    [Theory]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"]}""", """{"type":"enum","name":"E","symbols":["A","B"]}""", "MISSING_ENUM_SYMBOLS at '/symbols': the reader's enum 'E' lacks the writer's symbols [B] and has no default symbol")]
    [InlineData("""{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"F","size":8}""", "FIXED_SIZE_MISMATCH at '/size': the reader's fixed 'F' has size 4 but the writer's has size 8")]
    [InlineData("""{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"G","size":4}""", "NAME_MISMATCH at '/name': the reader's name 'F' differs from the writer's name 'G', which is not among the reader's aliases")]
    [InlineData("""["null","int"]""", "\"string\"", "MISSING_UNION_BRANCH at '/': the reader's union [null,int] has no branch that reads the writer's type string")]
    [InlineData("""["null","int"]""", """["null","string"]""", "MISSING_UNION_BRANCH at '/1': the reader's union [null,int] has no branch that reads the writer's union branch 1 (string)")]
    [InlineData("\"int\"", """["null","int"]""", "TYPE_MISMATCH at '/0': the reader's type int cannot read the writer's type null")]
    [InlineData("""{"type":"array","items":"int"}""", """{"type":"array","items":"string"}""", "TYPE_MISMATCH at '/items': the reader's type int cannot read the writer's type string")]
    [InlineData("""{"type":"map","values":"int"}""", """{"type":"map","values":"boolean"}""", "TYPE_MISMATCH at '/values': the reader's type int cannot read the writer's type boolean")]
    public void Check_Incompatibility_NamesTypeLocationAndChange(string reader, string writer, string expected)
    {
        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Backward, Avro(reader), [(1, Avro(writer))]);

        reasons.ShouldHaveSingleItem().ShouldBe($"BACKWARD check against version 1 (the new schema reading data written with version 1): {expected}.");
    }

    [Fact]
    public void Check_RecursiveRecord_Terminates()
    {
        const string v1 = """{"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}""";
        const string compatible = """{"type":"record","name":"Node","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"],"default":null},{"name":"label","type":"string","default":""}]}""";
        const string incompatible = """{"type":"record","name":"Node","fields":[{"name":"value","type":"string"},{"name":"next","type":["null","Node"],"default":null}]}""";

        CompatibilityChecker.Check(CompatibilityLevel.Backward, Avro(compatible), [(1, Avro(v1))]).ShouldBeEmpty();
        CompatibilityChecker.Check(CompatibilityLevel.Backward, Avro(incompatible), [(1, Avro(v1))]).ShouldHaveSingleItem().ShouldContain("TYPE_MISMATCH at '/fields/0/type'");
        CompatibilityChecker.Check(CompatibilityLevel.Full, Avro(v1), [(1, Avro(v1))]).ShouldBeEmpty();
    }

    [Fact]
    public void Check_NestedRecordField_PathGoesThroughTheNesting()
    {
        const string v1 = """{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"address","type":{"type":"record","name":"A","fields":[{"name":"city","type":"string"}]}}]}""";
        const string v2 = """{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"address","type":{"type":"record","name":"A","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string"}]}}]}""";

        var reasons = CompatibilityChecker.Check(CompatibilityLevel.Backward, Avro(v2), [(1, Avro(v1))]);

        reasons.ShouldHaveSingleItem().ShouldContain("READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/1/type/fields/1': the reader's field 'zip'");
    }

    private static ParsedSchema Avro(string text) => SchemaParser.Parse(SchemaType.Avro, text);
}
