using Sluice.Schemas;
using Sluice.Sql.Runtime;

namespace Sluice.Sql.Tests.Runtime;

/// <summary><see cref="DecodedRowCache"/>: a key instance decodes once; other instances and nested rows decode afresh.</summary>
public sealed class DecodedRowCacheTests
{
    private static readonly Schema s_schema = Schema.Parse("id INT, name STRING");

    [Fact]
    public void Get_SameKeyInstanceTwice_DecodesOnceAndReturnsTheSameRow()
    {
        var cache = new DecodedRowCache(new StoredRowCodec(s_schema));
        var key = "\u0001\u0000\u0002\u0002ab"; // (1, 'ab'), StoredRowCodec version 1

        var first = cache.Get(key);
        var second = cache.Get(key);

        first.ShouldBe(Row.Of(s_schema, 1, "ab"));
        second.ShouldBeSameAs(first);
    }

    [Fact]
    public void Get_EqualKeyOfAnotherInstance_DecodesAnEqualRow()
    {
        var cache = new DecodedRowCache(new StoredRowCodec(s_schema));
        var key = "\u0001\u0000\u0002\u0002ab";
        var copy = new string(key.AsSpan());

        var first = cache.Get(key);
        var second = cache.Get(copy);

        second.ShouldBe(Row.Of(s_schema, 1, "ab"));
        second.ShouldNotBeSameAs(first);
    }

    [Fact]
    public void Get_SchemaWithANestedRow_DecodesANewRowEveryTime()
    {
        var schema = Schema.Parse("id INT, inner ROW<x INT>");
        var codec = new StoredRowCodec(schema);
        var row = new Row(schema);
        row.SetInt32(0, 1);
        var inner = new Row(schema[1].Type.Fields!);
        inner.SetInt32(0, 7);
        row.SetRow(1, inner);
        var key = codec.ToKey(row);
        var cache = new DecodedRowCache(codec);

        var first = cache.Get(key);
        var second = cache.Get(key);

        first.ToString().ShouldBe("+I[1, +I[7]]");
        second.ShouldNotBeSameAs(first);
        second.GetRow(1).ShouldNotBeSameAs(first.GetRow(1));
    }
}
