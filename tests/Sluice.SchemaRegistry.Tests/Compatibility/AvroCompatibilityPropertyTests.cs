using System.Text;
using Avro.Generic;
using Avro.IO;
using CsCheck;
using Sluice.SchemaRegistry.Compatibility;
using Sluice.SchemaRegistry.Schemas;

namespace Sluice.SchemaRegistry.Tests.Compatibility;

/// <summary>
/// Properties of the Avro checker over generated record schemas and evolutions whose verdict is known by
/// construction, and agreement with Apache.Avro's own resolution: a datum written with the writer schema by
/// <see cref="GenericDatumWriter{T}"/> is read by <see cref="GenericDatumReader{T}"/> with every reader the checker
/// accepts.
/// </summary>
public sealed class AvroCompatibilityPropertyTests
{
    /// <summary>
    /// A field type: its JSON, its default's JSON, and its family. By the specification no type of one family reads a
    /// type of another (the promotions stay within numbers and within text; a union with null reads and writes null,
    /// which no plain type reads). An enum's JSON names its type after the field (<c>{name}</c>), so a field keeps one
    /// enum name across versions.
    /// </summary>
    private sealed record FieldType(string Json, string Default, string Family);

    private sealed record FieldSpec(string Name, FieldType Type, bool WithDefault);

    private static readonly FieldType[] s_types =
    [
        new("\"int\"", "0", "number"), new("\"long\"", "0", "number"), new("\"float\"", "0.0", "number"), new("\"double\"", "0.0", "number"),
        new("\"string\"", "\"\"", "text"), new("\"bytes\"", "\"\"", "text"), new("\"boolean\"", "false", "boolean"),
        new("[\"null\",\"int\"]", "null", "number"), new("[\"null\",\"long\"]", "null", "number"),
        new("[\"null\",\"string\"]", "null", "text"),
        new("""{"type":"enum","name":"E_{name}","symbols":["A","B"]}""", "\"A\"", "enum"),
        new("""{"type":"enum","name":"E_{name}","symbols":["A","B","C"]}""", "\"A\"", "enum"),
        new("""{"type":"enum","name":"E_{name}","symbols":["A","B"],"default":"A"}""", "\"A\"", "enum"),
        new("""{"type":"enum","name":"E_{name}","symbols":["B","C"],"default":"C"}""", "\"B\"", "enum"),
    ];

    private static readonly string[] s_names = ["a", "b", "c", "d", "e", "f", "g", "h"];

    private static readonly Gen<FieldType> s_genType = Gen.OneOf(s_types);

    /// <summary>1–6 fields with distinct names from a small pool, so two generated records share some fields.</summary>
    private static readonly Gen<FieldSpec[]> s_genFields =
        Gen.Shuffle(s_names, 1, 6).SelectMany(names => Gen.Select(s_genType, Gen.Bool).Array[names.Length].Select(types =>
            names.Select((n, i) => new FieldSpec(n, types[i].Item1, types[i].Item2)).ToArray()));

    /// <summary>
    /// A writer record and a reader derived from it, so most pairs share most fields: each field kept (half the time),
    /// given another type (often of its family), its default toggled, or dropped; then 0–2 fields added.
    /// </summary>
    private static readonly Gen<(FieldSpec[] Writer, FieldSpec[] Reader)> s_genEvolution =
        s_genFields.SelectMany(writer => Gen.Select(Gen.Int[0, 8].Array[writer.Length], s_genType.Array[writer.Length], Gen.Int[0, 99].Array[writer.Length], s_genFields).Select((operations, types, picks, extra) =>
        {
            var reader = new List<FieldSpec>();
            for (var i = 0; i < writer.Length; i++)
            {
                switch (operations[i])
                {
                    case 4:
                        reader.Add(writer[i] with { Type = types[i] });
                        break;
                    case 5:
                        reader.Add(writer[i] with { WithDefault = !writer[i].WithDefault });
                        break;
                    case 6:
                        break;
                    case 7 or 8:
                        // Another type of the same family: the promotions (and refused demotions) live there.
                        var family = s_types.Where(t => t.Family == writer[i].Type.Family).ToArray();
                        reader.Add(writer[i] with { Type = family[picks[i] % family.Length] });
                        break;
                    default:
                        reader.Add(writer[i]);
                        break;
                }
            }
            reader.AddRange(extra.Where(e => writer.All(w => w.Name != e.Name)).Take(2));
            return (writer, reader.ToArray());
        }));

    [Fact]
    public void AddingAFieldWithDefault_IsBackwardAndForwardCompatible()
    {
        Gen.Select(s_genFields, s_genType).Sample((fields, type) =>
        {
            var v1 = Record(fields);
            var v2 = Record([.. fields, new FieldSpec("added", type, WithDefault: true)]);
            CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, Parse(v2), [(1, Parse(v1))]).ShouldBeEmpty(v2);
            CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, Parse(v1), [(1, Parse(v2))]).ShouldBeEmpty(v1);
        }, iter: 200);
    }

    [Fact]
    public void ChangingAFieldToAnUnrelatedType_IsNeverBackwardNorForward()
    {
        Gen.Select(s_genFields, Gen.Int, s_genType).Where((fields, _, type) => fields.Any(f => f.Type.Family != type.Family)).Sample((fields, seed, type) =>
        {
            var changeable = fields.Where(f => f.Type.Family != type.Family).ToArray();
            var changed = changeable[(int)((uint)seed % (uint)changeable.Length)];
            var v2Fields = fields.Select(f => f == changed ? f with { Type = type } : f).ToArray();
            var v1 = Parse(Record(fields));
            var v2 = Parse(Record(v2Fields));
            CompatibilityChecker.Check(CompatibilityLevel.Backward, v2, [(1, v1)]).ShouldNotBeEmpty($"{changed} → {type}");
            CompatibilityChecker.Check(CompatibilityLevel.Forward, v2, [(1, v1)]).ShouldNotBeEmpty($"{changed} → {type}");
        }, iter: 200);
    }

    [Fact]
    public void Full_IsBackwardAndForward_AndEverySchemaIsFullyCompatibleWithItself()
    {
        s_genEvolution.Sample(evolution =>
        {
            var (a, b) = evolution;
            var previous = Parse(Record(a));
            var candidate = Parse(Record(b));
            var backward = CompatibilityChecker.Check(CompatibilityLevel.Backward, candidate, [(1, previous)]).Count == 0;
            var forward = CompatibilityChecker.Check(CompatibilityLevel.Forward, candidate, [(1, previous)]).Count == 0;
            var full = CompatibilityChecker.Check(CompatibilityLevel.Full, candidate, [(1, previous)]).Count == 0;
            full.ShouldBe(backward && forward);
            CompatibilityChecker.Check(CompatibilityLevel.FullTransitive, candidate, [(1, candidate), (2, candidate)]).ShouldBeEmpty();
        }, iter: 300);
    }

    [Fact]
    public void CompatiblePairs_AreReadByApacheAvro_WithPromotedValuesAndDefaults()
    {
        var judgedCompatible = 0;
        Gen.Select(s_genEvolution, Gen.Int).Sample((evolution, seed) =>
        {
            var (writerFields, readerFields) = evolution;
            var writer = (AvroSchema)Parse(Record(writerFields));
            var reader = (AvroSchema)Parse(Record(readerFields));
            if (CompatibilityChecker.Check(CompatibilityLevel.Backward, reader, [(1, writer)]).Count > 0 || ConvertsBetweenStringAndBytes(writerFields, readerFields))
            {
                return;
            }
            Interlocked.Increment(ref judgedCompatible);
            var random = new Random(seed);
            var writerRecord = (Avro.RecordSchema)writer.Schema;
            var readerRecord = (Avro.RecordSchema)reader.Schema;
            var written = new GenericRecord(writerRecord);
            foreach (var field in writerRecord.Fields)
            {
                written.Add(field.Name, RandomValue(field.Schema, random));
            }
            var read = RoundTrip(written, writer.Schema, reader.Schema);
            foreach (var field in readerFields)
            {
                var source = writerFields.FirstOrDefault(w => w.Name == field.Name);
                var expected = source is null ? DefaultValue(field.Type) : Promote(written[field.Name], readerRecord[field.Name].Schema);
                Normalize(read[field.Name]).ShouldBe(Normalize(expected), $"field {field.Name}: {writer.Text} read as {reader.Text}");
            }
        }, iter: 800);
        // The generator does produce compatible pairs to check: about 170 of 800 (standard deviation ≈ 11 over 12 runs);
        // CI once saw 147 against a bound of 150, so the bound sits six deviations below the mean.
        judgedCompatible.ShouldBeGreaterThan(100);
    }

    /// <summary>
    /// Whether a field is bytes on one side and string on the other. The specification (and Avro's Java resolution,
    /// which Confluent runs) promotes between them, but Apache.Avro for .NET refuses the pair ("Schema mismatch"), so
    /// such pairs cannot be cross-checked here; the matrix pins the checker's verdict on them.
    /// </summary>
    private static bool ConvertsBetweenStringAndBytes(FieldSpec[] writerFields, FieldSpec[] readerFields) =>
        readerFields.Any(r => writerFields.Any(w => w.Name == r.Name && w.Type.Family == "text" && r.Type.Family == "text"
            && w.Type.Json.Contains("bytes", StringComparison.Ordinal) != r.Type.Json.Contains("bytes", StringComparison.Ordinal)));

    private static GenericRecord RoundTrip(GenericRecord record, Avro.Schema writer, Avro.Schema reader)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(writer).Write(record, new BinaryEncoder(stream));
        stream.Position = 0;
        return new GenericDatumReader<GenericRecord>(writer, reader).Read(null!, new BinaryDecoder(stream));
    }

    private static object? RandomValue(Avro.Schema schema, Random random) => schema switch
    {
        Avro.UnionSchema union => random.Next(2) == 0 ? null : RandomValue(union.Schemas[1], random),
        Avro.EnumSchema enumeration => new GenericEnum(enumeration, enumeration.Symbols[random.Next(enumeration.Symbols.Count)]),
        _ => schema.Tag switch
        {
            Avro.Schema.Type.Int => random.Next(int.MinValue, int.MaxValue),
            Avro.Schema.Type.Long => random.NextInt64(long.MinValue, long.MaxValue),
            Avro.Schema.Type.Float => (float)random.Next(-1000, 1000) / 4,
            Avro.Schema.Type.Double => random.Next(-1000, 1000) / 8.0,
            Avro.Schema.Type.String => RandomText(random),
            Avro.Schema.Type.Bytes => Encoding.UTF8.GetBytes(RandomText(random)),
            Avro.Schema.Type.Boolean => random.Next(2) == 1,
            _ => throw new ArgumentOutOfRangeException(nameof(schema), schema, "no value generator for this type"),
        },
    };

    /// <summary>A field's default as the reader sees it, from the default's JSON.</summary>
    private static object? DefaultValue(FieldType type) => type.Default switch
    {
        "null" => null,
        "0" => 0L,
        "0.0" => 0.0,
        "\"\"" => "",
        "false" => false,
        "\"A\"" => "A",
        "\"B\"" => "B",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no default for this type"),
    };

    /// <summary>
    /// A written value as the specification says a reader of <paramref name="reader"/> sees it: numbers promoted,
    /// bytes and strings converted, an enum symbol the reader lacks replaced by the reader's default symbol.
    /// </summary>
    private static object? Promote(object? value, Avro.Schema reader) => (value, reader) switch
    {
        (null, _) => null,
        (_, Avro.UnionSchema union) => Promote(value, union.Schemas[1]),
        (GenericEnum symbol, Avro.EnumSchema enumeration) => enumeration.Contains(symbol.Value) ? symbol.Value : enumeration.Default,
        (_, _) when reader.Tag == Avro.Schema.Type.Long => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        (_, _) when reader.Tag == Avro.Schema.Type.Float => Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture),
        (_, _) when reader.Tag == Avro.Schema.Type.Double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
        (byte[] bytes, _) when reader.Tag == Avro.Schema.Type.String => Encoding.UTF8.GetString(bytes),
        (string text, _) when reader.Tag == Avro.Schema.Type.Bytes => Encoding.UTF8.GetBytes(text),
        _ => value,
    };

    /// <summary>A value compared across promotions: numbers as decimal, bytes as their UTF-8 text, enums as their symbol.</summary>
    private static object? Normalize(object? value) => value switch
    {
        int or long => Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture),
        float f => (decimal)f,
        double d => (decimal)d,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        GenericEnum symbol => symbol.Value,
        _ => value,
    };

    private static string RandomText(Random random) => new([.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => (char)random.Next('a', 'z' + 1))]);

    private static ParsedSchema Parse(string text) => SchemaParser.Parse(SchemaType.Avro, text);

    private static string Record(IEnumerable<FieldSpec> fields) =>
        """{"type":"record","name":"R","namespace":"sluice.gen","fields":[""" + string.Join(",", fields.Select(Field)) + "]}";

    private static string Field(FieldSpec field) =>
        $$"""{"name":"{{field.Name}}","type":{{field.Type.Json.Replace("{name}", field.Name, StringComparison.Ordinal)}}{{(field.WithDefault ? ",\"default\":" + field.Type.Default : "")}}}""";
}
