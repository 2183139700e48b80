using Sluice.Schemas;

namespace Sluice.Core.Tests.Schemas;

public sealed class RowTests
{
    private static readonly Schema s_all = Schema.Parse(
        "b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, m DECIMAL(6, 2), s STRING, y BYTES, dt DATE, t TIME(3), ts TIMESTAMP(3), " +
        "ltz TIMESTAMP_LTZ(6), r ROW<x INT>, a ARRAY<INT>, mp MAP<STRING, INT>");

    [Fact]
    public void DecimalInTheLastFixedSlots_NullBitsOfTheOtherFieldsUnchanged()
    {
        // A DECIMAL's 16 bytes take the last two fixed slots, right before the words of null bits.
        var schema = Schema.Parse("i INT, s STRING, k BIGINT, m DECIMAL(28, 4)");
        var row = new Row(schema);
        row.SetInt64(2, 7);

        row.SetDecimal(3, -792281625142643375.9543m);

        row.IsNull(0).ShouldBeTrue();
        row.IsNull(1).ShouldBeTrue();
        row.IsNull(2).ShouldBeFalse();
        row.GetDecimal(3).ShouldBe(-792281625142643375.9543m);
        row.SetNull(3);
        row.IsNull(3).ShouldBeTrue();
        row.GetInt64(2).ShouldBe(7);
        row.IsNull(0).ShouldBeTrue();
        row.Copy().ShouldBe(row);
    }

    [Fact]
    public void CopyFieldTo_AnotherKind_Throws()
    {
        var source = Row.Of(Schema.Parse("m DECIMAL(10, 2)"), 1.5m);
        var target = new Row(Schema.Parse("i INT, l BIGINT"));

        Should.Throw<InvalidOperationException>(() => source.CopyFieldTo(0, target, 1)).Message.ShouldContain("(Decimal)");
        target.IsNull(0).ShouldBeTrue();
        target.IsNull(1).ShouldBeTrue();
    }

    [Fact]
    public void NewRow_EveryFieldNull_KindInsert()
    {
        var row = new Row(s_all);

        row.Kind.ShouldBe(RowKind.Insert);
        Enumerable.Range(0, row.FieldCount).ShouldAllBe(i => row.IsNull(i));
        row.GetInt64(2).ShouldBe(0);
    }

    [Fact]
    public void TypedAccessors_RoundTripEveryKind()
    {
        var nested = Row.Of(s_all[12].Type.Fields!, 7);
        var row = new Row(s_all);
        row.SetBoolean(0, true);
        row.SetInt32(1, -5);
        row.SetInt64(2, long.MinValue);
        row.SetSingle(3, 1.5f);
        row.SetDouble(4, -2.25);
        row.SetDecimal(5, 1234.5m);
        row.SetString(6, "héllo");
        row.SetBytes(7, [1, 2, 3]);
        row.SetDate(8, new DateOnly(2026, 12, 5));
        row.SetTime(9, new TimeOnly(13, 45, 1, 250));
        row.SetTimestamp(10, new DateTime(2026, 12, 5, 1, 2, 3, 456));
        row.SetTimestampLtz(11, new DateTimeOffset(2026, 12, 5, 1, 2, 3, TimeSpan.FromHours(2)));
        row.SetRow(12, nested);
        row.SetArray(13, [1, null, 3]);
        row.SetMap(14, [new KeyValuePair<object, object?>("k", 1)]);

        row.GetBoolean(0).ShouldBeTrue();
        row.GetInt32(1).ShouldBe(-5);
        row.GetInt64(2).ShouldBe(long.MinValue);
        row.GetSingle(3).ShouldBe(1.5f);
        row.GetDouble(4).ShouldBe(-2.25);
        row.GetDecimal(5).ShouldBe(1234.50m);
        row.GetString(6).ShouldBe("héllo");
        row.GetBytes(7).ShouldBe([1, 2, 3]);
        row.GetDate(8).ShouldBe(new DateOnly(2026, 12, 5));
        row.GetTime(9).ShouldBe(new TimeOnly(13, 45, 1, 250));
        row.GetTimestamp(10).ShouldBe(new DateTime(2026, 12, 5, 1, 2, 3, 456));
        row.GetTimestampLtz(11).ShouldBe(new DateTimeOffset(2026, 12, 4, 23, 2, 3, TimeSpan.Zero));
        row.GetRow(12).ShouldBe(nested);
        row.GetArray(13).ShouldBe([1, null, 3]);
        row.GetMap(14)!.Single().ShouldBe(new KeyValuePair<object, object?>("k", 1));
        Enumerable.Range(0, row.FieldCount).ShouldAllBe(i => !row.IsNull(i));
        row.Copy().ShouldBe(row);
        Row.Of(s_all, [.. Enumerable.Range(0, row.FieldCount).Select(row.GetValue)]).ShouldBe(row);
    }

    [Fact]
    public void Accessor_OfAnotherKind_NamesTheField()
    {
        var row = new Row(s_all);

        Should.Throw<InvalidCastException>(() => row.GetInt32(2)).Message.ShouldBe("Field 'l' is BIGINT, not Int.");
        Should.Throw<InvalidCastException>(() => row.SetValue(1, "x")).Message.ShouldContain("Field 'i' is INT; a value of type String");
        Should.Throw<ArgumentOutOfRangeException>(() => row.GetInt64(15));
    }

    [Fact]
    public void SetDecimal_RoundsHalfAwayFromZero_AndRejectsOverflow()
    {
        var row = new Row(s_all);

        row.SetDecimal(5, 1.005m);
        row.GetDecimal(5).ShouldBe(1.01m);
        row.SetDecimal(5, -1.005m);
        row.GetDecimal(5).ShouldBe(-1.01m);
        row.SetDecimal(5, 9999.994m);
        row.GetDecimal(5).ShouldBe(9999.99m);
        Should.Throw<OverflowException>(() => row.SetDecimal(5, 9999.995m)).Message.ShouldContain("field 'm' of type DECIMAL(6, 2)");
    }

    [Fact]
    public void Equals_DecimalsOfDifferentScale_AreEqual()
    {
        var a = new Row(s_all);
        var b = new Row(s_all);
        a.SetDecimal(5, 1.5m);
        b.SetDecimal(5, 1.500m);
        a.SetDecimal(5, 0m);
        b.SetDecimal(5, -0.00m);

        a.ShouldBe(b);
        a.GetHashCode().ShouldBe(b.GetHashCode());
    }

    [Fact]
    public void SetTimestamp_TruncatesToPrecision()
    {
        var row = new Row(s_all);

        row.SetTimestamp(10, new DateTime(2026, 1, 1, 0, 0, 0).AddTicks(1_234_567));
        row.SetTime(9, new TimeOnly(1_234_567));

        row.GetTimestamp(10).ShouldBe(new DateTime(2026, 1, 1, 0, 0, 0).AddTicks(1_230_000));
        row.GetTime(9).ShouldBe(new TimeOnly(1_230_000));
    }

    [Fact]
    public void SetNull_NotNullField_Throws()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, name STRING");
        var row = Row.Of(schema, 1L, "a");

        Should.Throw<ArgumentException>(() => row.SetNull(0)).Message.ShouldContain("Field 'id' is BIGINT NOT NULL");
        row.SetString(1, null);
        row.IsNull(1).ShouldBeTrue();
    }

    [Fact]
    public void SetRow_OfAnotherSchema_Throws()
    {
        var row = new Row(s_all);

        Should.Throw<ArgumentException>(() => row.SetRow(12, Row.Of(Schema.Parse("y INT"), 1)));
    }

    [Fact]
    public void ToString_FlinkNotation()
    {
        var schema = Schema.Parse("id BIGINT, name STRING, tags ARRAY<STRING>");
        var row = Row.Of(schema, 1L, null, new object?[] { "a", "b" });
        row.Kind = RowKind.UpdateBefore;

        row.ToString().ShouldBe("-U[1, null, [a, b]]");
    }

    [Fact]
    public void ToString_DatesAndTimes_Iso8601()
    {
        var schema = Schema.Parse("d DATE, t TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(0), whole TIMESTAMP(3)");
        var row = Row.Of(schema, new DateOnly(2026, 12, 5), new TimeOnly(13, 45, 1, 250), new DateTime(2026, 12, 5, 1, 2, 3, 456),
            new DateTimeOffset(2026, 12, 5, 1, 2, 3, TimeSpan.FromHours(2)), new DateTime(2026, 12, 5));

        row.ToString().ShouldBe("+I[2026-12-05, 13:45:01.25, 2026-12-05T01:02:03.456, 2026-12-04T23:02:03Z, 2026-12-05T00:00:00]");
    }

    [Fact]
    public void FormatValue_NestedValues_AsToStringPrintsThem()
    {
        var map = new List<KeyValuePair<object, object?>> { new("k", new object?[] { new DateOnly(2026, 12, 5), null }) };

        Row.FormatValue(map).ShouldBe("{k=[2026-12-05, null]}");
        Row.FormatValue(new byte[] { 0x0A, 0x1B }).ShouldBe("0x0A1B");
        Row.FormatValue(Row.Of(Schema.Parse("a INT, b BOOLEAN"), 1, true)).ShouldBe("+I[1, true]");
        Row.FormatValue(null).ShouldBe("null");
    }

    [Fact]
    public void ManyFields_NullBitsBeyond64_AreIndependent()
    {
        var schema = new Schema(Enumerable.Range(0, 130).Select(i => new Field("f" + i, DataType.Int)));
        var row = new Row(schema);

        row.SetInt32(64, 1);
        row.SetInt32(129, 2);

        row.IsNull(63).ShouldBeTrue();
        row.IsNull(64).ShouldBeFalse();
        row.IsNull(65).ShouldBeTrue();
        row.GetInt32(129).ShouldBe(2);
    }
}
