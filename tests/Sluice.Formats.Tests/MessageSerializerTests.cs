using System.Buffers;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Formats.Tests;

public class MessageSerializerTests
{
    private sealed record Order(string Id, string Customer, int Quantity);

    private static MessageView Message(string? value, string? key = null) => new("orders", 3, 17, 1_000, MessageTimestampType.CreateTime,
        key is null ? default : Encoding.UTF8.GetBytes(key), key is not null, value is null ? default : Encoding.UTF8.GetBytes(value), value is not null);

    [Fact]
    public void Json_TypeMismatch_NamesTheJsonPath()
    {
        var ok = MessageDeserializers.Json<Order>().TryDeserialize(Message("""{"id":"o1","customer":"c1","quantity":"many"}"""), out _, out var error);

        ok.ShouldBeFalse();
        error!.FieldPath.ShouldBe("quantity");
        error.Reason.ShouldStartWith("Malformed JSON: ");
    }

    [Fact]
    public void Json_Tombstone_IsAnError()
    {
        MessageDeserializers.Json<Order>().TryDeserialize(Message(null), out _, out var error).ShouldBeFalse();

        error.ShouldBe(new FormatError("The message is a tombstone (no value); expected a JSON document."));
    }

    [Fact]
    public void WithMetadata_Tombstone_IsDeliveredWithPosition()
    {
        MessageDeserializers.WithMetadata(MessageDeserializers.Utf8String()).TryDeserialize(Message(null, "k"), out var record, out _).ShouldBeTrue();

        record.ShouldNotBeNull();
        record.IsTombstone.ShouldBeTrue();
        (record.Topic, record.Partition, record.Offset, record.TimestampMs, record.TimestampType).ShouldBe(("orders", 3, 17L, 1_000L, MessageTimestampType.CreateTime));
        record.Key.ShouldBe("k"u8.ToArray());
        record.Headers.ShouldBeEmpty();
    }

    [Fact]
    public void Rows_BadField_ReturnsFormatErrorWithPath()
    {
        var rows = MessageDeserializers.Rows(RowFormats.Json.CreateDeserializer(Schema.Parse("quantity INT")));

        rows.TryDeserialize(Message("""{"quantity":1.5}"""), out _, out var error).ShouldBeFalse();

        error.ShouldBe(new FormatError("'1.5' is not an INT.", "quantity"));
    }

    [Fact]
    public void Rows_CommentLine_IsAnErrorNotASkip()
    {
        var rows = MessageDeserializers.Rows(RowFormats.Csv.CreateDeserializer(Schema.Parse("a STRING"), new Dictionary<string, string> { ["csv.allow-comments"] = "true" }));

        rows.TryDeserialize(Message("# note"), out _, out var error).ShouldBeFalse();

        error.ShouldBe(new FormatError("The message holds no record (a comment line)."));
    }

    [Fact]
    public void Utf8String_KeyAndValueIntoReusedBuffers_AllocatesNothing()
    {
        var serializer = MessageSerializers.Utf8String(static s => s);
        var key = new ArrayBufferWriter<byte>(256);
        var value = new ArrayBufferWriter<byte>(256);
        const string text = "user-42|clicked";
        Write(serializer, text, key, value);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 1000; i++)
        {
            Write(serializer, text, key, value);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        Encoding.UTF8.GetString(key.WrittenSpan).ShouldBe(text);
    }

    [Fact]
    public void Rows_KeyFieldsIntoReusedBuffers_AllocatesNothing()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, name STRING");
        var serializer = MessageSerializers.Rows(RowFormats.Json.CreateSerializer(schema), RowFormats.Csv.CreateSerializer(Schema.Parse("id BIGINT NOT NULL")));
        var row = Row.Of(schema, 42L, "Ada");
        var key = new ArrayBufferWriter<byte>(256);
        var value = new ArrayBufferWriter<byte>(256);
        Write(serializer, row, key, value);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 1000; i++)
        {
            Write(serializer, row, key, value);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        Encoding.UTF8.GetString(key.WrittenSpan).ShouldBe("42");
        Encoding.UTF8.GetString(value.WrittenSpan).ShouldBe("""{"id":42,"name":"Ada"}""");
    }

    [Fact]
    public void Bytes_NullArray_IsATombstone()
    {
        var value = new ArrayBufferWriter<byte>();

        MessageSerializers.Bytes().TryWriteValue(null!, value).ShouldBeFalse();

        value.WrittenCount.ShouldBe(0);
    }

    private static void Write<T>(IMessageSerializer<T> serializer, T record, ArrayBufferWriter<byte> key, ArrayBufferWriter<byte> value)
    {
        key.ResetWrittenCount();
        value.ResetWrittenCount();
        serializer.TryWriteKey(record, key);
        serializer.TryWriteValue(record, value);
    }
}
