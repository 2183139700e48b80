using System.Buffers;
using System.Text;
using Sluice.Schemas;

namespace Sluice.Formats.Tests;

/// <summary>Rows as upserts by key (Flink's upsert-kafka convention): tombstones for deletes, no message for -U, and back.</summary>
public sealed class UpsertRowMessageTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, name STRING");
    private static readonly Schema s_key = Schema.Parse("id BIGINT NOT NULL");

    private static IMessageSerializer<Row> Upserts() =>
        MessageSerializers.UpsertRows(RowFormats.Json.CreateSerializer(s_schema), RowFormats.Json.CreateSerializer(s_key));

    private static IMessageDeserializer<Row> Reader() =>
        MessageDeserializers.UpsertRows(RowFormats.Json.CreateDeserializer(s_schema), RowFormats.Json.CreateDeserializer(s_key));

    private static Row Of(RowKind kind, long id, string? name)
    {
        var row = Row.Of(s_schema, id, name);
        row.Kind = kind;
        return row;
    }

    private static (bool Produced, byte[]? Key, byte[]? Value) Write(IMessageSerializer<Row> serializer, Row row)
    {
        if (!serializer.ProducesMessage(row))
        {
            return (false, null, null);
        }
        var key = new ArrayBufferWriter<byte>();
        var value = new ArrayBufferWriter<byte>();
        var hasKey = serializer.TryWriteKey(row, key);
        var hasValue = serializer.TryWriteValue(row, value);
        return (true, hasKey ? key.WrittenSpan.ToArray() : null, hasValue ? value.WrittenSpan.ToArray() : null);
    }

    private static MessageView Message(byte[]? key, byte[]? value) => new("users", 0, 5, 1_000, MessageTimestampType.CreateTime,
        key, key is not null, value, value is not null);

    [Fact]
    public void UpsertRows_Delete_IsATombstoneWithTheKeyBytes()
    {
        var (produced, key, value) = Write(Upserts(), Of(RowKind.Delete, 2, "Bob"));

        produced.ShouldBeTrue();
        key.ShouldBe("""{"id":2}"""u8.ToArray());
        value.ShouldBeNull("a tombstone has no value");
    }

    [Theory]
    [InlineData(RowKind.Insert)]
    [InlineData(RowKind.UpdateAfter)]
    public void UpsertRows_InsertOrUpdateAfter_IsKeyAndValue(RowKind kind)
    {
        var (produced, key, value) = Write(Upserts(), Of(kind, 1, "Ann"));

        produced.ShouldBeTrue();
        key.ShouldBe("""{"id":1}"""u8.ToArray());
        value.ShouldBe("""{"id":1,"name":"Ann"}"""u8.ToArray());
    }

    [Fact]
    public void UpsertRows_UpdateBefore_ProducesNoMessage() =>
        Write(Upserts(), Of(RowKind.UpdateBefore, 1, "Ada")).Produced.ShouldBeFalse();

    [Theory]
    [InlineData(RowKind.Delete, "-D[2, Bob]")]
    [InlineData(RowKind.UpdateBefore, "-U[2, Bob]")]
    public void Rows_Retraction_FailsNamingTheRow(RowKind kind, string row)
    {
        var rows = MessageSerializers.Rows(RowFormats.Json.CreateSerializer(s_schema), RowFormats.Json.CreateSerializer(s_key));

        Should.Throw<NotSupportedException>(() => Write(rows, Of(kind, 2, "Bob"))).Message.ShouldBe(
            $"The sink received the retraction {row}, but it writes rows insert-only (json, csv and raw carry no row kind) and would write it as new data; write the changelog as upserts by key (connector 'upsert-kafka', MessageSerializers.UpsertRows), or keep the stream append-only.");
    }

    [Fact]
    public void UpsertRows_KeyFieldNotInValue_Throws() =>
        Should.Throw<ArgumentException>(() => MessageSerializers.UpsertRows(RowFormats.Json.CreateSerializer(s_schema), RowFormats.Json.CreateSerializer(Schema.Parse("user STRING"))))
            .Message.ShouldStartWith("Key field 'user VARCHAR' is not a field of the value schema ROW<id BIGINT NOT NULL, name VARCHAR>");

    [Fact]
    public void UpsertRowsDeserializer_Tombstone_IsADeleteHoldingTheKey()
    {
        Reader().TryDeserialize(Message("""{"id":2}"""u8.ToArray(), null), out var row, out var error).ShouldBeTrue();

        error.ShouldBeNull();
        row!.ToString().ShouldBe("-D[2, null]");
    }

    [Fact]
    public void UpsertRowsDeserializer_Value_IsAnUpdateAfter()
    {
        Reader().TryDeserialize(Message("""{"id":1}"""u8.ToArray(), """{"id":1,"name":"Ann"}"""u8.ToArray()), out var row, out _).ShouldBeTrue();

        row!.ToString().ShouldBe("+U[1, Ann]");
    }

    [Fact]
    public void UpsertRowsDeserializer_TombstoneWithoutKey_IsAnError()
    {
        Reader().TryDeserialize(Message(null, null), out _, out var error).ShouldBeFalse();

        error.ShouldBe(new FormatError("The message is a tombstone without a key; a delete of an upsert topic needs the key of the deleted row."));
    }

    [Fact]
    public void UpsertRowsDeserializer_BadKey_IsAnErrorWithThePath()
    {
        Reader().TryDeserialize(Message("""{"id":"two"}"""u8.ToArray(), null), out _, out var error).ShouldBeFalse();

        error!.Reason.ShouldStartWith("The key of a tombstone cannot be decoded: ");
        error.FieldPath.ShouldBe("id");
    }

    [Fact]
    public void UpsertRows_WrittenThenRead_GivesTheChangelogWithoutUpdateBefore()
    {
        var writer = Upserts();
        var reader = Reader();
        Row[] changes = [Of(RowKind.Insert, 1, "Ada"), Of(RowKind.UpdateBefore, 1, "Ada"), Of(RowKind.UpdateAfter, 1, "Ann"), Of(RowKind.Delete, 1, "Ann")];
        var read = new List<string>();

        foreach (var change in changes)
        {
            var (produced, key, value) = Write(writer, change);
            if (produced)
            {
                reader.TryDeserialize(Message(key, value), out var row, out _).ShouldBeTrue();
                read.Add(row!.ToString());
            }
        }

        read.ShouldBe(["+U[1, Ada]", "+U[1, Ann]", "-D[1, null]"]);
    }
}
