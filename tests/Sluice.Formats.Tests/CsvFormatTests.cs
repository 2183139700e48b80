using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

public class CsvFormatTests
{
    private const string PrimitivesCsv = "true,42,-9000000000,1.5,0.25,12.30,héllo,AQID,2024-02-29,13:14:15.12,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z";

    [Fact]
    public void Serialize_Primitives_WritesFieldsInSchemaOrder()
    {
        Write(RowFormats.Csv.CreateSerializer(Primitives), PrimitiveRow()).ShouldBe(PrimitivesCsv);
    }

    [Fact]
    public void Deserialize_Primitives_ReadsEveryType()
    {
        Read(RowFormats.Csv.CreateDeserializer(Primitives), PrimitivesCsv).ShouldBe(PrimitiveRow());
    }

    [Fact]
    public void Deserialize_TrailingLineBreak_Ignored()
    {
        Read(RowFormats.Csv.CreateDeserializer(Primitives), PrimitivesCsv + "\r\n").ShouldBe(PrimitiveRow());
    }

    [Fact]
    public void Serialize_TextNeedingQuotes_QuotesAndDoublesQuotes()
    {
        var schema = Schema.Parse("a STRING, b STRING, c STRING, d STRING, e STRING");

        var text = Write(RowFormats.Csv.CreateSerializer(schema), Row.Of(schema, "x,y", "say \"hi\"", "", null, "line\nbreak"));

        text.ShouldBe("\"x,y\",\"say \"\"hi\"\"\",\"\",,\"line\nbreak\"");
    }

    [Fact]
    public void Deserialize_QuotedText_UndoesQuotesAndTellsEmptyFromNull()
    {
        var schema = Schema.Parse("a STRING, b STRING, c STRING, d STRING, e INT");

        var row = Read(RowFormats.Csv.CreateDeserializer(schema), "\"x,y\",\"say \"\"hi\"\"\",\"\",,");

        row.ShouldBe(Row.Of(schema, "x,y", "say \"hi\"", "", null, null));
    }

    [Fact]
    public void Serialize_Array_JoinsElementsWithArrayDelimiter()
    {
        var schema = Schema.Parse("tags ARRAY<STRING>, nums ARRAY<INT>");

        var text = Write(RowFormats.Csv.CreateSerializer(schema), Row.Of(schema, new List<object?> { "a", "b,c" }, new List<object?> { 1, null, 3 }));

        text.ShouldBe("\"a;b,c\",1;;3");
    }

    [Fact]
    public void Deserialize_Array_SplitsElements()
    {
        var schema = Schema.Parse("tags ARRAY<STRING>, nums ARRAY<INT>");

        var row = Read(RowFormats.Csv.CreateDeserializer(schema), "\"a;b,c\",1;;3");

        row.ShouldBe(Row.Of(schema, new List<object?> { "a", "b,c" }, new List<object?> { 1, null, 3 }));
    }

    [Fact]
    public void Serialize_CustomDelimiterNullLiteralAndEscape_UsesThem()
    {
        var schema = Schema.Parse("a STRING, b INT, c STRING");
        var options = Options(("csv.field-delimiter", "|"), ("csv.null-literal", "n/a"), ("csv.escape-character", "\\\\"), ("csv.disable-quote-character", "true"));

        var text = Write(RowFormats.Csv.CreateSerializer(schema, options), Row.Of(schema, "x|y", null, "back\\slash"));

        text.ShouldBe("x\\|y|n/a|back\\\\slash");
        Read(RowFormats.Csv.CreateDeserializer(schema, options), text).ShouldBe(Row.Of(schema, "x|y", null, "back\\slash"));
    }

    [Fact]
    public void Serialize_TextEqualToNullLiteral_IsQuoted()
    {
        var schema = Schema.Parse("a STRING, b STRING");
        var options = Options(("csv.null-literal", "NULL"));

        var text = Write(RowFormats.Csv.CreateSerializer(schema, options), Row.Of(schema, "NULL", null));

        text.ShouldBe("\"NULL\",NULL");
        Read(RowFormats.Csv.CreateDeserializer(schema, options), text).ShouldBe(Row.Of(schema, "NULL", null));
    }

    [Fact]
    public void Deserialize_Comment_WhenAllowed_HoldsNoRow()
    {
        var deserializer = RowFormats.Csv.CreateDeserializer(Schema.Parse("a STRING"), Options(("csv.allow-comments", "true")));

        deserializer.TryDeserialize("# a comment"u8, out var row, out var error).ShouldBeTrue();

        row.ShouldBeNull();
        error.ShouldBeNull();
    }

    [Fact]
    public void Deserialize_WrongFieldCount_FailsWholeRecord()
    {
        var deserializer = RowFormats.Csv.CreateDeserializer(Schema.Parse("a INT, b INT, c INT"));

        Fail(deserializer, "1,2").ShouldBe(new FormatError("The record has 2 fields but the schema has 3."));
        Fail(deserializer, "1,2,3,4").ShouldBe(new FormatError("The record has more than 3 fields; the schema has 3."));
    }

    [Fact]
    public void Deserialize_BadValue_NamesFieldAndValue()
    {
        var error = Fail(RowFormats.Csv.CreateDeserializer(Schema.Parse("id INT, ts TIMESTAMP(3)")), "1,2020-01-02T00:00:00");

        error.FieldPath.ShouldBe("ts");
        error.Reason.ShouldBe("'2020-01-02T00:00:00' is not a timestamp 'yyyy-MM-dd HH:mm:ss[.fraction]'.");
    }

    [Fact]
    public void Deserialize_BadArrayElement_PathWithIndex()
    {
        var error = Fail(RowFormats.Csv.CreateDeserializer(Schema.Parse("nums ARRAY<BIGINT>")), "1;x;3");

        error.Message.ShouldBe("Field 'nums[1]': 'x' is not a BIGINT.");
    }

    [Fact]
    public void Deserialize_UnclosedQuote_FailsWholeRecord()
    {
        var error = Fail(RowFormats.Csv.CreateDeserializer(Schema.Parse("a STRING, b STRING")), "x,\"open");

        error.ShouldBe(new FormatError("Field 2 opens a quote that is never closed."));
    }

    [Fact]
    public void Deserialize_NullForNotNullField_Fails()
    {
        var error = Fail(RowFormats.Csv.CreateDeserializer(Schema.Parse("a INT NOT NULL, b INT")), ",1");

        error.Message.ShouldBe("Field 'a': The value is null but the field is INT NOT NULL.");
    }

    [Fact]
    public void Deserialize_IgnoreParseErrors_NullsAndCounts()
    {
        var schema = Schema.Parse("a INT, b DATE, c INT NOT NULL");
        var deserializer = RowFormats.Csv.CreateDeserializer(schema, Options(("csv.ignore-parse-errors", "true")));

        Read(deserializer, "x,2020-02-30,3").ShouldBe(Row.Of(schema, null, null, 3));
        deserializer.IgnoredErrorCount.ShouldBe(2);
        Fail(deserializer, "1,2020-01-01,three").FieldPath.ShouldBe("c");
    }

    [Fact]
    public void Serialize_DelimiterWithoutQuoteOrEscape_ThrowsNamingField()
    {
        var schema = Schema.Parse("a STRING");
        var serializer = RowFormats.Csv.CreateSerializer(schema, Options(("csv.disable-quote-character", "true")));

        var e = Should.Throw<FormatException>(() => Write(serializer, Row.Of(schema, "x,y")));

        e.Message.ShouldBe("Field 'a' holds the delimiter, a line break or the null literal, but 'csv.disable-quote-character' is true and no 'csv.escape-character' is set; set one.");
    }
}
