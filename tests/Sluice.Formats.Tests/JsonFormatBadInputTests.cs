using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

public class JsonFormatBadInputTests
{
    private static readonly Schema s_nested = Schema.Parse(
        "id INT NOT NULL, address ROW<zip INT NOT NULL, city STRING>, tags ARRAY<INT NOT NULL>, attrs MAP<STRING, DATE>, name STRING");

    [Fact]
    public void TryDeserialize_WrongScalar_NamesFieldAndValue()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":"abc"}""");

        error.FieldPath.ShouldBe("id");
        error.Reason.ShouldBe("'abc' is not an INT.");
        error.Message.ShouldBe("Field 'id': 'abc' is not an INT.");
    }

    [Fact]
    public void TryDeserialize_BadNestedField_PathThroughRow()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":1,"address":{"zip":true}}""");

        error.FieldPath.ShouldBe("address.zip");
        error.Reason.ShouldBe("Expected an INT, found a boolean.");
    }

    [Fact]
    public void TryDeserialize_BadArrayElement_PathWithIndex()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":1,"tags":[1,2,"x"]}""");

        error.FieldPath.ShouldBe("tags[2]");
        error.Reason.ShouldBe("'x' is not an INT.");
    }

    [Fact]
    public void TryDeserialize_NullArrayElementOfNotNullType_PathWithIndex()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":1,"tags":[null]}""");

        error.FieldPath.ShouldBe("tags[0]");
        error.Reason.ShouldBe("The value is null but the type is INT NOT NULL.");
    }

    [Fact]
    public void TryDeserialize_BadMapValue_PathWithKey()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":1,"attrs":{"born":"1990-13-01"}}""");

        error.FieldPath.ShouldBe("attrs['born']");
        error.Reason.ShouldBe("'1990-13-01' is not a date 'yyyy-MM-dd'.");
    }

    [Fact]
    public void TryDeserialize_MissingNotNullField_Fails()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"name":"x"}""");

        error.FieldPath.ShouldBe("id");
        error.Reason.ShouldBe("The field is missing but is INT NOT NULL.");
    }

    [Fact]
    public void TryDeserialize_NullForNotNullField_Fails()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":null}""");

        error.FieldPath.ShouldBe("id");
        error.Reason.ShouldBe("The value is null but the field is INT NOT NULL.");
    }

    [Fact]
    public void TryDeserialize_FailOnMissingField_FailsForNullableField()
    {
        var deserializer = RowFormats.Json.CreateDeserializer(s_nested, Options((JsonFormat.FailOnMissingField, "true")));

        var error = Fail(deserializer, """{"id":1,"address":null,"tags":[],"attrs":{}}""");

        error.FieldPath.ShouldBe("name");
        error.Reason.ShouldBe("The field is missing (json.fail-on-missing-field is true).");
    }

    [Fact]
    public void TryDeserialize_MalformedJson_FailsWholeRecord()
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), """{"id":1,""");

        error.FieldPath.ShouldBeNull();
        error.Reason.ShouldStartWith("Malformed JSON: ");
    }

    [Theory]
    [InlineData("[1]", "The record is an array, not a JSON object.")]
    [InlineData("null", "The record is null, not a JSON object.")]
    [InlineData("", "The record is empty; expected a JSON object.")]
    public void TryDeserialize_NotAnObject_FailsWholeRecord(string text, string reason)
    {
        var error = Fail(RowFormats.Json.CreateDeserializer(s_nested), text);

        error.ShouldBe(new FormatError(reason));
    }

    [Fact]
    public void TryDeserialize_SqlStandardGivenIsoTimestamp_NamesExpectedFormat()
    {
        var schema = Schema.Parse("ts TIMESTAMP(3)");

        var error = Fail(RowFormats.Json.CreateDeserializer(schema), """{"ts":"2020-01-02T03:04:05"}""");

        error.Message.ShouldBe("Field 'ts': '2020-01-02T03:04:05' is not a timestamp 'yyyy-MM-dd HH:mm:ss[.fraction]'.");
    }

    [Fact]
    public void TryDeserialize_DecimalTooLarge_Fails()
    {
        var schema = Schema.Parse("m DECIMAL(4, 2)");

        var error = Fail(RowFormats.Json.CreateDeserializer(schema), """{"m":123.4}""");

        error.Message.ShouldBe("Field 'm': 123.4 does not fit DECIMAL(4, 2).");
    }

    [Fact]
    public void TryDeserialize_IgnoreParseErrors_NullsBadNullableFieldsAndCountsThem()
    {
        var deserializer = RowFormats.Json.CreateDeserializer(s_nested, Options((JsonFormat.IgnoreParseErrors, "true")));

        var row = Read(deserializer, """{"id":1,"address":{"zip":"x","city":"Paris"},"tags":[1,"y"],"name":"n"}""");

        row.ShouldBe(Row.Of(s_nested, 1, null, null, null, "n"));
        deserializer.IgnoredErrorCount.ShouldBe(2);
    }

    [Fact]
    public void TryDeserialize_IgnoreParseErrorsOnNotNullField_StillFails()
    {
        var deserializer = RowFormats.Json.CreateDeserializer(s_nested, Options((JsonFormat.IgnoreParseErrors, "true")));

        var error = Fail(deserializer, """{"id":"one"}""");

        error.FieldPath.ShouldBe("id");
        deserializer.IgnoredErrorCount.ShouldBe(0);
    }

    [Fact]
    public void TryDeserialize_IgnoreParseErrorsOnMalformedJson_StillFails()
    {
        var deserializer = RowFormats.Json.CreateDeserializer(s_nested, Options((JsonFormat.IgnoreParseErrors, "true")));

        var error = Fail(deserializer, "{oops");

        error.Reason.ShouldStartWith("Malformed JSON: ");
    }
}
