using System.Buffers;
using System.Text;
using Avro.Generic;
using Avro.IO;
using CsCheck;
using Sluice.Formats.Registry.Avro;
using AvroSchema = Avro.Schema;

namespace Sluice.Formats.Registry.Tests;

/// <summary>
/// The JSON → Avro mapping of HTTP ingest's <c>?format=avro-confluent</c> (<see cref="AvroJsonEncoder"/>): what it
/// writes is read back with Apache.Avro's own <see cref="GenericDatumReader{T}"/>, and compared byte for byte with
/// Apache.Avro's <see cref="GenericDatumWriter{T}"/>.
/// </summary>
public sealed class AvroJsonEncoderTests
{
    private static byte[] Encode(AvroSchema schema, string json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var ok = AvroJsonEncoder.Compile(schema).TryEncode(Encoding.UTF8.GetBytes(json), buffer, out var field, out var problem);
        ok.ShouldBeTrue($"{field}: {problem}");
        return buffer.WrittenSpan.ToArray();
    }

    private static (string? Field, string Problem) Refuse(AvroSchema schema, string json)
    {
        var ok = AvroJsonEncoder.Compile(schema).TryEncode(Encoding.UTF8.GetBytes(json), new ArrayBufferWriter<byte>(), out var field, out var problem);
        ok.ShouldBeFalse();
        return (field, problem!);
    }

    private static object Decode(AvroSchema schema, byte[] body)
    {
        using var stream = new MemoryStream(body);
        var value = new GenericDatumReader<object>(schema, schema).Read(null!, new BinaryDecoder(stream));
        stream.Position.ShouldBe(body.Length, "the whole body is one value");
        return value;
    }

    private static GenericRecord DecodeRecord(AvroSchema schema, string json) => (GenericRecord)Decode(schema, Encode(schema, json));

    private static byte[] ApacheWrite(AvroSchema schema, object value)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<object>(schema).Write(value, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static AvroSchema Record(string fields) => AvroSchema.Parse($$"""{"type":"record","name":"R","namespace":"t","fields":[{{fields}}]}""");

    [Fact]
    public void Primitives_AreWrittenAsApacheAvroWritesThem()
    {
        var schema = Record("""
            {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
            {"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"by","type":"bytes"},{"name":"n","type":"null"}
            """);
        var expected = new GenericRecord((global::Avro.RecordSchema)schema);
        expected.Add("b", true);
        expected.Add("i", -7);
        expected.Add("l", 5_000_000_000L);
        expected.Add("f", 1.5f);
        expected.Add("d", -2.25);
        expected.Add("s", "h\u00e9\"llo\n日");
        expected.Add("by", new byte[] { 1, 2, 3, 255 });
        expected.Add("n", null);

        var body = Encode(schema, """{"b":true,"i":-7,"l":5000000000,"f":1.5,"d":-2.25,"s":"h\u00e9\"llo\n日","by":"AQID/w==","n":null}""");

        body.ShouldBe(ApacheWrite(schema, expected));
    }

    [Fact]
    public void FieldsInAnyOrder_AreWrittenInSchemaOrder()
    {
        var schema = Record("""{"name":"a","type":"int"},{"name":"b","type":"string"},{"name":"c","type":{"type":"array","items":"long"}}""");

        Encode(schema, """{"c":[1,2],"b":"x","a":3}""").ShouldBe(Encode(schema, """{"a":3,"b":"x","c":[1,2]}"""));
        DecodeRecord(schema, """{"c":[1,2],"b":"x","a":3}""")["b"].ShouldBe("x");
    }

    [Fact]
    public void Union_PlainValue_TakesTheFirstBranchThatFits()
    {
        var schema = Record("""{"name":"u","type":["null","int","long","double","string"]}""");

        DecodeRecord(schema, """{"u":null}""")["u"].ShouldBeNull();
        DecodeRecord(schema, """{"u":5}""")["u"].ShouldBe(5);
        DecodeRecord(schema, """{"u":5000000000}""")["u"].ShouldBe(5_000_000_000L);
        DecodeRecord(schema, """{"u":2.5}""")["u"].ShouldBe(2.5);
        DecodeRecord(schema, """{"u":"x"}""")["u"].ShouldBe("x");
        Encode(schema, """{"u":5}""")[0].ShouldBe((byte)2, "branch 1 (int), zigzag-encoded");
    }

    [Fact]
    public void Union_TaggedForm_IsAcceptedWhenNoBranchTakesTheObject()
    {
        var schema = Record("""{"name":"u","type":["null","int","long","string"]}""");

        DecodeRecord(schema, """{"u":{"long":5}}""")["u"].ShouldBe(5L);
        DecodeRecord(schema, """{"u":{"string":"x"}}""")["u"].ShouldBe("x");
    }

    [Fact]
    public void Union_OfRecords_TakesTheFirstRecordWhoseFieldsFit()
    {
        var schema = Record("""
            {"name":"shape","type":[
              {"type":"record","name":"Circle","fields":[{"name":"radius","type":"double"}]},
              {"type":"record","name":"Square","fields":[{"name":"side","type":"double"}]}]}
            """);

        ((GenericRecord)DecodeRecord(schema, """{"shape":{"side":2}}""")["shape"]).Schema.Name.ShouldBe("Square");
        ((GenericRecord)DecodeRecord(schema, """{"shape":{"radius":1}}""")["shape"]).Schema.Name.ShouldBe("Circle");
        ((GenericRecord)DecodeRecord(schema, """{"shape":{"t.Square":{"side":3}}}""")["shape"])["side"].ShouldBe(3.0);
    }

    [Fact]
    public void AbsentFields_AreTheirDefaultElseNullElseRefused()
    {
        var schema = Record("""
            {"name":"id","type":"long"},
            {"name":"n","type":"int","default":7},
            {"name":"s","type":"string","default":"dflt"},
            {"name":"note","type":["null","string"],"default":null},
            {"name":"tag","type":["string","null"],"default":"t"},
            {"name":"opt","type":["null","long"]},
            {"name":"raw","type":"bytes","default":"\u00ff\u0001"},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"},
            {"name":"sub","type":{"type":"record","name":"Sub","fields":[{"name":"x","type":"int"}]},"default":{"x":4}}
            """);

        var record = DecodeRecord(schema, """{"id":1}""");

        record["n"].ShouldBe(7);
        record["s"].ShouldBe("dflt");
        record["note"].ShouldBeNull();
        record["tag"].ShouldBe("t");
        record["opt"].ShouldBeNull();
        record["raw"].ShouldBe(new byte[] { 0xFF, 0x01 });
        ((GenericEnum)record["e"]).Value.ShouldBe("B");
        ((GenericRecord)record["sub"])["x"].ShouldBe(4);
        Refuse(schema, """{"n":1}""").ShouldBe(("id", "field 'id' is missing: record t.R requires it (long, no default, not nullable)"));
    }

    [Fact]
    public void WrongTypes_AreRefusedNamingTheFieldAndBothTypes()
    {
        var schema = Record("""{"name":"age","type":"int"},{"name":"name","type":["null","string"]}""");

        Refuse(schema, """{"age":"ten","name":"a"}""").ShouldBe(("age", "field 'age' is a string, but the schema's type is int"));
        Refuse(schema, """{"age":1.5,"name":"a"}""").ShouldBe(("age", "field 'age' is 1.5, which is not a whole number in the range of int"));
        Refuse(schema, """{"age":3000000000,"name":"a"}""").Field.ShouldBe("age");
        Refuse(schema, """{"age":1,"name":5}""").ShouldBe(("name", "field 'name' is a number, but the schema's type is union [null, string]"));
        Refuse(schema, """{"age":null,"name":"a"}""").ShouldBe(("age", "field 'age' is null, but the schema's type is int"));
    }

    [Fact]
    public void UnknownEnumSymbol_IsRefusedListingTheSymbols()
    {
        var schema = Record("""{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}}""");

        ((GenericEnum)DecodeRecord(schema, """{"status":"PAID"}""")["status"]).Value.ShouldBe("PAID");
        Refuse(schema, """{"status":"DONE"}""").ShouldBe(("status", "field 'status' is \"DONE\", which is not a symbol of enum t.Status (NEW, PAID)"));
    }

    [Fact]
    public void UnknownAndRepeatedProperties_AreRefused()
    {
        var schema = Record("""{"name":"a","type":"int"}""");

        Refuse(schema, """{"a":1,"b":2}""").ShouldBe(("b", "field 'b' is not a field of record t.R (its fields: a)"));
        Refuse(schema, """{"a":1,"a":2}""").ShouldBe(("a", "field 'a' appears twice in the object"));
    }

    [Fact]
    public void NestedRecordsArraysAndMaps_RoundTripAndNameTheirPathsOnFailure()
    {
        var schema = Record("""
            {"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"city","type":"string"},{"name":"zip","type":["null","string"],"default":null}]}},
            {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
            {"name":"tags","type":{"type":"map","values":"long"}},
            {"name":"matrix","type":{"type":"array","items":{"type":"array","items":"int"}}}
            """);

        var record = DecodeRecord(schema, """{"address":{"city":"Oslo"},"items":[{"sku":"a","qty":1},{"qty":2,"sku":"b"}],"tags":{"x":1,"y\"z":2},"matrix":[[1,2],[],[3]]}""");

        ((GenericRecord)record["address"])["city"].ShouldBe("Oslo");
        ((GenericRecord)record["address"])["zip"].ShouldBeNull();
        var items = (object[])record["items"];
        items.Select(i => ((GenericRecord)i)["sku"]).ShouldBe(["a", "b"]);
        ((Dictionary<string, object>)record["tags"]).ShouldBe(new Dictionary<string, object> { ["x"] = 1L, ["y\"z"] = 2L });
        ((object[])record["matrix"]).Select(r => ((object[])r).Length).ShouldBe([2, 0, 1]);
        Refuse(schema, """{"address":{},"items":[],"tags":{},"matrix":[]}""").Field.ShouldBe("address.city");
        Refuse(schema, """{"address":{"city":"a"},"items":[{"sku":"a","qty":1},{"sku":"b","qty":"2"}],"tags":{},"matrix":[]}""").Field.ShouldBe("items[1].qty");
        Refuse(schema, """{"address":{"city":"a"},"items":[],"tags":{"k":"v"},"matrix":[]}""").Field.ShouldBe("tags['k']");
        Refuse(schema, """{"address":{"city":"a"},"items":[],"tags":{},"matrix":[[1],[2,"x"]]}""").Field.ShouldBe("matrix[1][1]");
    }

    [Fact]
    public void LogicalTypes_TakeNumbersInTheirUnitOrIsoStrings()
    {
        var schema = Record("""
            {"name":"tsMs","type":{"type":"long","logicalType":"timestamp-millis"}},
            {"name":"tsUs","type":{"type":"long","logicalType":"timestamp-micros"}},
            {"name":"localMs","type":{"type":"long","logicalType":"local-timestamp-millis"}},
            {"name":"day","type":{"type":"int","logicalType":"date"}},
            {"name":"tod","type":{"type":"int","logicalType":"time-millis"}},
            {"name":"todUs","type":{"type":"long","logicalType":"time-micros"}},
            {"name":"id","type":{"type":"string","logicalType":"uuid"}}
            """);
        var plain = Record("""
            {"name":"tsMs","type":"long"},{"name":"tsUs","type":"long"},{"name":"localMs","type":"long"},{"name":"day","type":"int"},
            {"name":"tod","type":"int"},{"name":"todUs","type":"long"},{"name":"id","type":"string"}
            """);

        var fromStrings = Encode(schema, """
            {"tsMs":"2026-12-06T01:02:03.004Z","tsUs":"2026-12-06T03:02:03.000005+02:00","localMs":"2026-12-06T01:02:03.004",
             "day":"2026-12-06","tod":"01:02:03.004","todUs":"00:00:01.000002","id":"0b9e3f1c-6a53-4c1e-9d7a-3c4b5a6f7e80"}
            """);
        var fromNumbers = Encode(schema, """
            {"tsMs":1796518923004,"tsUs":1796518923000005,"localMs":1796518923004,"day":20793,"tod":3723004,"todUs":1000002,
             "id":"0b9e3f1c-6a53-4c1e-9d7a-3c4b5a6f7e80"}
            """);

        fromStrings.ShouldBe(fromNumbers);
        var record = (GenericRecord)Decode(plain, fromNumbers);
        record["tsMs"].ShouldBe(1_796_518_923_004L);
        record["day"].ShouldBe(20793);
        Refuse(schema, """{"tsMs":"yesterday","tsUs":0,"localMs":0,"day":0,"tod":0,"todUs":0,"id":"x"}""").Field.ShouldBe("tsMs");
        Refuse(schema, """{"tsMs":0,"tsUs":0,"localMs":0,"day":"06/12/2026","tod":0,"todUs":0,"id":"x"}""").Field.ShouldBe("day");
        Refuse(schema, """{"tsMs":0,"tsUs":0,"localMs":0,"day":0,"tod":0,"todUs":0,"id":"not-a-uuid"}""").Field.ShouldBe("id");
    }

    [Fact]
    public void Decimals_FromNumbersOrStrings_AreWrittenAsApacheAvroWritesThem()
    {
        var schema = Record("""
            {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
            {"name":"fixedPrice","type":{"type":"fixed","name":"F8","size":8,"logicalType":"decimal","precision":12,"scale":3}}
            """);
        var expected = new GenericRecord((global::Avro.RecordSchema)schema);
        expected.Add("price", new global::Avro.AvroDecimal(-1234.50m));
        expected.Add("fixedPrice", new global::Avro.AvroDecimal(7.125m));

        Encode(schema, """{"price":-1234.5,"fixedPrice":"7.125"}""").ShouldBe(ApacheWrite(schema, expected));
        Encode(schema, """{"price":"-1234.50","fixedPrice":7.125}""").ShouldBe(ApacheWrite(schema, expected));
        Refuse(schema, """{"price":1.005,"fixedPrice":0}""").Problem.ShouldContain("more decimal places than the scale");
        Refuse(schema, """{"price":12345678.9,"fixedPrice":0}""").Problem.ShouldContain("more digits than the precision");
    }

    [Fact]
    public void BytesAndFixed_AreBase64_WithTheFixedSizeChecked()
    {
        var schema = Record("""{"name":"raw","type":"bytes"},{"name":"hash","type":{"type":"fixed","name":"H4","size":4}}""");

        var record = DecodeRecord(schema, """{"raw":"","hash":"3q2+7w=="}""");

        record["raw"].ShouldBe(Array.Empty<byte>());
        ((GenericFixed)record["hash"]).Value.ShouldBe(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
        Refuse(schema, """{"raw":"%%%","hash":"3q2+7w=="}""").Field.ShouldBe("raw");
        Refuse(schema, """{"raw":"","hash":"3q2+"}""").ShouldBe(("hash", "field 'hash' holds 3 bytes, but fixed t.H4 has 4"));
    }

    [Fact]
    public void RecursiveSchema_EncodesNestedLevels()
    {
        var schema = AvroSchema.Parse("""
            {"type":"record","name":"Node","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}
            """);

        var record = DecodeRecord(schema, """{"value":1,"next":{"value":2,"next":{"value":3}}}""");

        ((GenericRecord)((GenericRecord)record["next"])["next"])["value"].ShouldBe(3);
        Refuse(schema, """{"value":1,"next":{"value":2,"next":{"value":"x"}}}""").Field.ShouldBe("next.next.value");
    }

    [Fact]
    public void RandomRecords_AreWrittenAsApacheAvroWritesThem()
    {
        var schema = Record("""
            {"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"score","type":["null","double"]},
            {"name":"flags","type":{"type":"array","items":"boolean"}},{"name":"counts","type":{"type":"map","values":"int"}},
            {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["X","Y","Z"]}},
            {"name":"inner","type":["null",{"type":"record","name":"Inner","fields":[{"name":"s","type":["null","string"]}]}]}
            """);
        var record = (global::Avro.RecordSchema)schema;
        var kind = (global::Avro.EnumSchema)record["kind"].Schema;
        var inner = (global::Avro.RecordSchema)((global::Avro.UnionSchema)record["inner"].Schema).Schemas[1];
        var text = Gen.String[Gen.Char["abz \"\\é€日\n/"], 0, 8];
        var gen = Gen.Select(Gen.Select(Gen.Long, text, Gen.Double, Gen.Bool), Gen.Bool.Array[0, 4], Gen.Dictionary(text, Gen.Int)[0, 3], Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], text));

        gen.Sample((scalars, flags, counts, choices) =>
        {
            var (id, name, d, hasScore) = scalars;
            var (k, innerMode, innerText) = choices;
            double? score = hasScore && double.IsFinite(d) ? d : null;
            var hasInner = innerMode > 0;
            var innerValue = innerMode == 2 ? innerText : null;
            var expected = new GenericRecord(record);
            expected.Add("id", id);
            expected.Add("name", name);
            expected.Add("score", score);
            expected.Add("flags", flags.Cast<object>().ToArray());
            expected.Add("counts", counts.ToDictionary(p => p.Key, p => (object)p.Value));
            expected.Add("kind", new GenericEnum(kind, kind.Symbols[k]));
            GenericRecord? innerRecord = null;
            if (hasInner)
            {
                innerRecord = new GenericRecord(inner);
                innerRecord.Add("s", innerValue);
            }
            expected.Add("inner", innerRecord);
            var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["inner"] = hasInner ? new Dictionary<string, object?> { ["s"] = innerValue } : null,
                ["id"] = id,
                ["name"] = name,
                ["score"] = score,
                ["flags"] = flags,
                ["counts"] = counts,
                ["kind"] = kind.Symbols[k],
            });

            Encode(schema, json).ShouldBe(ApacheWrite(schema, expected), json);
        });
    }
}
