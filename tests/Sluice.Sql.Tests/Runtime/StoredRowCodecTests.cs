using Sluice.Schemas;
using Sluice.Sql.Runtime;
using Sluice.State.Serialization;

namespace Sluice.Sql.Tests.Runtime;

/// <summary>Golden bytes of the version 1 layouts the join and rank operators keep in state.</summary>
public sealed class StoredRowCodecTests
{
    private static readonly Schema s_schema = Schema.Parse("id INT, name STRING");

    // A row of s_schema (1, 'ab'), kind +I: kind 00, null bitmap 00, id zig-zag 1 = 02, name length 02, 'a' 'b'.
    private static readonly byte[] s_rowAb = [0x00, 0x00, 0x02, 0x02, 0x61, 0x62];

    // (NULL, 'c'): kind 00, null bitmap 01 (field 0), name length 01, 'c'.
    private static readonly byte[] s_rowNullC = [0x00, 0x01, 0x01, 0x63];

    [Fact]
    public void ToKey_Version1_IsVersionCharThenRowBytesWithoutKind()
    {
        var codec = new StoredRowCodec(s_schema);
        var row = Row.Of(s_schema, 1, "ab");
        row.Kind = RowKind.UpdateBefore;

        var key = codec.ToKey(row);

        key.ShouldBe("\u0001\u0000\u0002\u0002ab");
        codec.FromKey(key).ShouldBe(Row.Of(s_schema, 1, "ab"));
    }

    [Fact]
    public void RowList_Version1_GoldenBytes()
    {
        var codec = new StoredRowCodec(s_schema);
        byte[] golden = [0x01, 0x02, .. s_rowAb, .. s_rowNullC];
        var deleted = Row.Of(s_schema, null, "c");
        deleted.Kind = RowKind.Delete;

        codec.WriteList([Row.Of(s_schema, 1, "ab"), deleted]).ShouldBe(golden);
        var rows = new List<Row>();
        codec.ReadList(golden, rows);
        rows.ShouldBe([Row.Of(s_schema, 1, "ab"), Row.Of(s_schema, null, "c")]);
    }

    [Fact]
    public void FlaggedRowList_Version1_GoldenBytes()
    {
        var codec = new StoredRowCodec(s_schema);
        byte[] golden = [0x01, 0x02, 0x01, .. s_rowAb, 0x00, .. s_rowNullC];

        codec.WriteFlaggedList([Row.Of(s_schema, 1, "ab"), Row.Of(s_schema, null, "c")], [true, false]).ShouldBe(golden);
        var rows = new List<Row>();
        var flags = new List<bool>();
        codec.ReadFlaggedList(golden, rows, flags);
        rows.ShouldBe([Row.Of(s_schema, 1, "ab"), Row.Of(s_schema, null, "c")]);
        flags.ShouldBe([true, false]);
    }

    [Fact]
    public void ReadList_UnknownVersion_FailsNamingIt()
    {
        var codec = new StoredRowCodec(s_schema);

        Should.Throw<StateFormatException>(() => codec.ReadList([0x02, 0x00], [])).Message
            .ShouldBe("A stored row list of ROW<id INT, name VARCHAR> has version 2; this build reads version 1.");
        Should.Throw<StateFormatException>(() => codec.FromKey("\u0002")).Message
            .ShouldBe("A stored row key of ROW<id INT, name VARCHAR> starts with version 2; this build reads version 1.");
    }
}
