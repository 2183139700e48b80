using System.Buffers;
using Sluice.Schemas;
using static Sluice.Formats.Tests.FormatTestSupport;

namespace Sluice.Formats.Tests;

public class RawFormatTests
{
    [Fact]
    public void Serialize_Varchar_WritesTextInCharset()
    {
        var schema = Schema.Parse("line STRING");
        var buffer = new ArrayBufferWriter<byte>();

        RowFormats.Raw.CreateSerializer(schema, Options(("raw.charset", "UTF-16BE"))).Serialize(Row.Of(schema, "hé"), buffer).ShouldBeTrue();

        buffer.WrittenSpan.ToArray().ShouldBe(new byte[] { 0x00, 0x68, 0x00, 0xE9 });
    }

    [Fact]
    public void Deserialize_Utf8_ReadsWholeMessage()
    {
        var schema = Schema.Parse("line STRING");

        Read(RowFormats.Raw.CreateDeserializer(schema), "a,b\n\"c\"").ShouldBe(Row.Of(schema, "a,b\n\"c\""));
    }

    [Fact]
    public void Deserialize_Bytes_CopiesMessage()
    {
        var schema = Schema.Parse("payload BYTES");

        RowFormats.Raw.CreateDeserializer(schema).TryDeserialize(new byte[] { 0, 255 }, out var row, out _).ShouldBeTrue();

        row!.GetBytes(0).ShouldBe(new byte[] { 0, 255 });
    }

    [Fact]
    public void Serialize_NullField_IsNoValue()
    {
        var schema = Schema.Parse("payload BYTES");
        var buffer = new ArrayBufferWriter<byte>();

        RowFormats.Raw.CreateSerializer(schema).Serialize(new Row(schema), buffer).ShouldBeFalse();

        buffer.WrittenCount.ShouldBe(0);
    }

    [Fact]
    public void Deserialize_InvalidUtf8_FailsNamingField()
    {
        var schema = Schema.Parse("line STRING");

        RowFormats.Raw.CreateDeserializer(schema).TryDeserialize(new byte[] { 0xC3, 0x28 }, out _, out var error).ShouldBeFalse();

        error!.Message.ShouldBe("Field 'line': The bytes are not valid utf-8 text.");
    }
}
