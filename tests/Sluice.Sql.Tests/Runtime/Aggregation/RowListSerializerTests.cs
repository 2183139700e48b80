using Sluice.Schemas;
using Sluice.Sql.Runtime;
using Sluice.State.Serialization;

namespace Sluice.Sql.Tests.Runtime.Aggregation;

/// <summary><see cref="RowListSerializer"/> version 1 (the OVER aggregation's buffered rows), pinned by hand-written bytes.</summary>
public sealed class RowListSerializerTests
{
    private static readonly Schema s_schema = Schema.Parse("k STRING, v BIGINT");

    private static readonly byte[] s_golden =
    [
        0x01, // version 1
        0x02, // two rows
        0x00, 0x00, 0x01, (byte)'a', 0x04, // +I, no nulls, k = "a", v = 2 (zig-zag)
        0x00, 0x02, 0x01, (byte)'b', // +I, v null (bit 1), k = "b"
    ];

    [Fact]
    public void Serialize_Version1_WritesTheGoldenBytes()
    {
        new RowListSerializer(s_schema).Serialize([Row.Of(s_schema, "a", 2L), Row.Of(s_schema, "b", null)]).ShouldBe(s_golden);
    }

    [Fact]
    public void Deserialize_GoldenBytes_TheRowsInOrder()
    {
        var rows = new List<Row>();

        new RowListSerializer(s_schema).Deserialize(s_golden, rows);

        rows.Select(static r => r.ToString()).ShouldBe(["+I[a, 2]", "+I[b, null]"]);
    }

    [Fact]
    public void Deserialize_UnknownVersion_StateFormatException()
    {
        Should.Throw<StateFormatException>(() => new RowListSerializer(s_schema).Deserialize([0x07, 0x00], []))
            .Message.ShouldStartWith("SQL OVER aggregation row list state has version 7; this build reads version 1.");
    }
}
