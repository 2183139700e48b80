using Sluice.Schemas;

namespace Sluice.Core.Tests.Schemas;

public sealed class DataTypeTests
{
    [Theory]
    [InlineData("BOOLEAN", "BOOLEAN")]
    [InlineData("int not null", "INT NOT NULL")]
    [InlineData("INTEGER", "INT")]
    [InlineData("BIGINT NULL", "BIGINT")]
    [InlineData("REAL", "FLOAT")]
    [InlineData("DOUBLE PRECISION", "DOUBLE")]
    [InlineData("DECIMAL", "DECIMAL(10, 0)")]
    [InlineData("NUMERIC(12,3)", "DECIMAL(12, 3)")]
    [InlineData("STRING", "VARCHAR")]
    [InlineData("VARCHAR(20) NOT NULL", "VARCHAR NOT NULL")]
    [InlineData("VARBINARY(8)", "BYTES")]
    [InlineData("DATE", "DATE")]
    [InlineData("TIME", "TIME(0)")]
    [InlineData("TIMESTAMP", "TIMESTAMP(6)")]
    [InlineData("TIMESTAMP(3) WITHOUT TIME ZONE", "TIMESTAMP(3)")]
    [InlineData("TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(3)")]
    [InlineData("TIMESTAMP_LTZ(9) NOT NULL", "TIMESTAMP_LTZ(9) NOT NULL")]
    [InlineData("ARRAY<INT NOT NULL>", "ARRAY<INT NOT NULL>")]
    [InlineData("MAP<STRING, ARRAY<DOUBLE>>", "MAP<VARCHAR NOT NULL, ARRAY<DOUBLE>>")]
    [InlineData("ROW(a INT, `b c` STRING)", "ROW<a INT, `b c` VARCHAR>")]
    [InlineData("ROW<id BIGINT NOT NULL, tags MAP<STRING, INT>> NOT NULL", "ROW<id BIGINT NOT NULL, tags MAP<VARCHAR NOT NULL, INT>> NOT NULL")]
    public void Parse_SqlSpelling_WritesCanonicalText(string text, string expected)
    {
        var type = DataType.Parse(text);

        type.ToString().ShouldBe(expected);
        DataType.Parse(type.ToString()).ShouldBe(type);
    }

    [Theory]
    [InlineData("", "at position 0 in '', found the end")]
    [InlineData("INT NOT", "Expected NULL at position 7")]
    [InlineData("DECIMAL(40, 2)", "DECIMAL precision must be in [1, 28]")]
    [InlineData("DECIMAL(4, 5)", "DECIMAL scale must be in [0, precision=4]")]
    [InlineData("TIMESTAMP(10)", "Fractional-second precision must be in [0, 9]")]
    [InlineData("MAP<INT>", "Expected ',' at position 7")]
    [InlineData("ROW<a INT, a BIGINT>", "two fields named 'a'")]
    [InlineData("INT INT", "Expected the end of the type at position 4")]
    [InlineData("UUID", "Expected a type (BOOLEAN")]
    public void Parse_InvalidText_NamesThePositionAndTheProblem(string text, string expected)
    {
        var error = Should.Throw<FormatException>(() => DataType.Parse(text));

        error.Message.ShouldContain(expected);
    }

    [Fact]
    public void Map_KeyType_IsNeverNullable()
    {
        var map = DataType.Map(DataType.Varchar, DataType.Int);

        map.KeyType.ShouldBe(DataType.Varchar.NotNull());
        map.ValueType.ShouldBe(DataType.Int);
    }

    [Fact]
    public void Equals_SameTextDifferentInstances_AreEqualWithEqualHashes()
    {
        var a = DataType.Parse("ROW<a DECIMAL(5, 2), b ARRAY<TIMESTAMP(3)>>");
        var b = DataType.Row(new Field("a", DataType.Decimal(5, 2)), new Field("b", DataType.Array(DataType.Timestamp(3))));

        a.ShouldBe(b);
        a.GetHashCode().ShouldBe(b.GetHashCode());
        a.ShouldNotBe(b.NotNull());
    }

    [Fact]
    public void SchemaParse_BareFieldList_KeepsOrderAndComments()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL COMMENT 'the key', name STRING, `ts` TIMESTAMP(3)");

        schema.Select(f => f.Name).ShouldBe(["id", "name", "ts"]);
        schema[0].Description.ShouldBe("the key");
        schema.GetIndex("ts").ShouldBe(2);
        schema.IndexOf("ID").ShouldBe(-1);
        Should.Throw<ArgumentException>(() => schema.GetIndex("missing")).Message.ShouldContain("its fields are: id, name, ts");
        Schema.Parse(schema.ToString()).ShouldBe(schema);
    }

    [Fact]
    public void TryParse_TypeInsideLargerText_ReportsWhereItEnds()
    {
        const string text = "CAST(x AS DECIMAL(10, 2) NOT NULL) + 1";

        DataType.TryParse(text, 9, out var type, out var end, out var error, out _).ShouldBeTrue();

        type.ShouldBe(DataType.Decimal(10, 2).NotNull());
        end.ShouldBe(33);
        error.ShouldBeNull();
    }

    [Fact]
    public void TryParse_BadType_ReportsOffsetAndExpectation()
    {
        const string text = "a ROW<b INT, c MAP<INT>>";

        DataType.TryParse(text, 1, out var type, out var end, out var error, out var isExpectation).ShouldBeFalse();

        type.ShouldBeNull();
        end.ShouldBe(22);
        error.ShouldBe("','");
        isExpectation.ShouldBeTrue();
    }

    [Fact]
    public void TryParse_InvalidPrecision_ReportsSentence()
    {
        DataType.TryParse("DECIMAL(99, 2)", 0, out _, out var end, out var error, out var isExpectation).ShouldBeFalse();

        end.ShouldBe(0);
        isExpectation.ShouldBeFalse();
        error.ShouldContain("precision");
    }
}
