using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests.Compatibility;

/// <summary>
/// The compatibility matrix for Avro: each evolution v1 → v2 (v1 registered, v2 the candidate) with its verdict under
/// every mode, written by hand from the Avro specification's schema resolution rules and Confluent's documentation
/// ("BACKWARD: delete fields, add optional fields"; "FORWARD: add fields, delete optional fields"; "FULL: add and
/// delete optional fields"). With a single earlier version a transitive mode gives its plain mode's verdict.
/// </summary>
public sealed class AvroCompatibilityMatrixTests
{
    /// <summary>The modes in the order of a row's verdict string.</summary>
    private static readonly CompatibilityLevel[] s_modes =
    [
        CompatibilityLevel.None, CompatibilityLevel.Backward, CompatibilityLevel.BackwardTransitive, CompatibilityLevel.Forward,
        CompatibilityLevel.ForwardTransitive, CompatibilityLevel.Full, CompatibilityLevel.FullTransitive,
    ];

    private const string IntA = """{"name":"a","type":"int"}""";

    /// <summary>Case, v1 fields or schema, v2 fields or schema, verdicts for NONE BACKWARD BACKWARD_TRANSITIVE FORWARD
    /// FORWARD_TRANSITIVE FULL FULL_TRANSITIVE (Y compatible, N not).</summary>
    public static TheoryData<string, string, string, string> Matrix => new()
    {
        // Adding a field: a reader with the new field needs a default to read old data; an old reader skips it.
        { "add field with default", Record(IntA), Record(IntA, """{"name":"b","type":"string","default":""}"""), "YYYYYYY" },
        { "add field without default", Record(IntA), Record(IntA, """{"name":"b","type":"string"}"""), "YNNYYNN" },
        { "add nullable field with null default", Record(IntA), Record(IntA, """{"name":"b","type":["null","string"],"default":null}"""), "YYYYYYY" },
        // Removing a field: the new reader skips it; an old reader needs its default.
        { "remove field with default", Record(IntA, """{"name":"b","type":"string","default":""}"""), Record(IntA), "YYYYYYY" },
        { "remove field without default", Record(IntA, """{"name":"b","type":"string"}"""), Record(IntA), "YYYNNNN" },
        // Promotions go one way only.
        { "int to long", Record(IntA), Record("""{"name":"a","type":"long"}"""), "YYYNNNN" },
        { "long to int", Record("""{"name":"a","type":"long"}"""), Record(IntA), "YNNYYNN" },
        { "int to double", Record(IntA), Record("""{"name":"a","type":"double"}"""), "YYYNNNN" },
        { "float to double", Record("""{"name":"a","type":"float"}"""), Record("""{"name":"a","type":"double"}"""), "YYYNNNN" },
        { "string to bytes", Record("""{"name":"a","type":"string"}"""), Record("""{"name":"a","type":"bytes"}"""), "YYYYYYY" },
        { "int to string", Record(IntA), Record("""{"name":"a","type":"string"}"""), "YNNNNNN" },
        { "int to boolean", Record(IntA), Record("""{"name":"a","type":"boolean"}"""), "YNNNNNN" },
        // Enums: an old reader lacks a new symbol unless it has a default symbol.
        { "add enum symbol", Record(Enum(null, "A", "B")), Record(Enum(null, "A", "B", "C")), "YYYNNNN" },
        { "add enum symbol, enums with default", Record(Enum("A", "A", "B")), Record(Enum("A", "A", "B", "C")), "YYYYYYY" },
        { "remove enum symbol", Record(Enum(null, "A", "B", "C")), Record(Enum(null, "A", "B")), "YNNYYNN" },
        { "remove enum symbol, enums with default", Record(Enum("A", "A", "B", "C")), Record(Enum("A", "A", "B")), "YYYYYYY" },
        // Renaming: only the reader's aliases count, so a rename with an alias reads old data, and old readers don't.
        { "rename field with alias", Record(IntA), Record("""{"name":"a2","type":"int","aliases":["a"]}"""), "YYYNNNN" },
        { "rename field without alias", Record(IntA), Record("""{"name":"a2","type":"int"}"""), "YNNNNNN" },
        { "rename field with alias, both with defaults", Record("""{"name":"a","type":"int","default":0}"""), Record("""{"name":"a2","type":"int","aliases":["a"],"default":0}"""), "YYYYYYY" },
        { "rename record with alias", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R2","aliases":["R"],"fields":[{"name":"a","type":"int"}]}""", "YYYNNNN" },
        { "rename record without alias", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R2","fields":[{"name":"a","type":"int"}]}""", "YNNNNNN" },
        { "rename namespaced record with alias", """{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R2","namespace":"n","aliases":["R"],"fields":[{"name":"a","type":"int"}]}""", "YYYNNNN" },
        // Avro's resolution matches names unqualified (Confluent accepts a namespace change).
        { "change namespace only", """{"type":"record","name":"R","namespace":"a","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"R","namespace":"b","fields":[{"name":"a","type":"int"}]}""", "YYYYYYY" },
        // Unions: every writer branch must be readable.
        { "make field nullable", Record(IntA), Record("""{"name":"a","type":["null","int"]}"""), "YYYNNNN" },
        { "add union branch", Record("""{"name":"a","type":["null","int"]}"""), Record("""{"name":"a","type":["null","int","string"]}"""), "YYYNNNN" },
        { "fixed size change", Record("""{"name":"a","type":{"type":"fixed","name":"F","size":4}}"""), Record("""{"name":"a","type":{"type":"fixed","name":"F","size":8}}"""), "YNNNNNN" },
        { "array items int to long", Record("""{"name":"a","type":{"type":"array","items":"int"}}"""), Record("""{"name":"a","type":{"type":"array","items":"long"}}"""), "YYYNNNN" },
        { "map values string to int", Record("""{"name":"a","type":{"type":"map","values":"string"}}"""), Record("""{"name":"a","type":{"type":"map","values":"int"}}"""), "YNNNNNN" },
        { "logical type added over the same int", Record(IntA), Record("""{"name":"a","type":{"type":"int","logicalType":"date"}}"""), "YYYYYYY" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Check_Evolution_MatchesTheHandWrittenVerdictOfEveryMode(string evolution, string v1, string v2, string verdicts)
    {
        verdicts.Length.ShouldBe(s_modes.Length, evolution);
        var previous = Avro(v1);
        var candidate = Avro(v2);
        for (var i = 0; i < s_modes.Length; i++)
        {
            var reasons = CompatibilityChecker.Check(s_modes[i], candidate, [(1, previous)]);
            var expectedCompatible = verdicts[i] == 'Y';
            (reasons.Count == 0).ShouldBe(expectedCompatible, $"{evolution} under {s_modes[i]}: {string.Join(" | ", reasons)}");
        }
    }

    internal static ParsedSchema Avro(string text) => SchemaParser.Parse(SchemaType.Avro, text);

    private static string Record(params string[] fields) =>
        """{"type":"record","name":"R","namespace":"sluice.test","fields":[""" + string.Join(",", fields) + "]}";

    /// <summary>A field <c>e</c> of an enum type E with the symbols and, when not null, a default symbol.</summary>
    private static string Enum(string? defaultSymbol, params string[] symbols) =>
        """{"name":"e","type":{"type":"enum","name":"E","symbols":[""" + string.Join(",", symbols.Select(s => $"\"{s}\""))
        + "]" + (defaultSymbol is null ? "" : $",\"default\":\"{defaultSymbol}\"") + "}}";
}
