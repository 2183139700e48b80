using Sluice.Schemas;
using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlFormatterTests
{
    [Theory]
    [InlineData("select  a+b*c from T where x=1 and not y", "SELECT a + b * c FROM T WHERE x = 1 AND NOT y")]
    [InlineData("SELECT (a + b) * c, a - (b - c), (a - b) - c", "SELECT (a + b) * c, a - (b - c), a - b - c")]
    [InlineData("SELECT - -a, -(-1), NOT NOT b", "SELECT -(-a), -(-1), NOT NOT b")]
    [InlineData("SELECT `value`, `my col`, key, `select`.x FROM `t`", "SELECT `value`, `my col`, key, `select`.x FROM t")]
    [InlineData("SELECT count(*) filter (where p < 1) as n from bid b group by b.x",
        "SELECT count(*) FILTER (WHERE p < 1) AS n FROM bid AS b GROUP BY b.x")]
    [InlineData("select * from a, b left outer join c using (id) cross join unnest(b.t) with ordinality",
        "SELECT * FROM a, b LEFT JOIN c USING (id) CROSS JOIN UNNEST(b.t) WITH ORDINALITY")]
    [InlineData("SELECT 1 UNION ALL SELECT 2 UNION SELECT 3", "(SELECT 1 UNION ALL SELECT 2) UNION SELECT 3")]
    [InlineData("SELECT CAST(x AS varchar(10)), interval '1:30' minute to second, x'0a'",
        "SELECT CAST(x AS VARCHAR), INTERVAL '1:30' MINUTE TO SECOND, X'0A'")]
    [InlineData("SELECT current_timestamp, `CAST`(1), f(1).x, (r).x, (1).x", "SELECT CURRENT_TIMESTAMP, `CAST`(1), f(1).x, (r).x, (1).x")]
    [InlineData("SELECT x FROM t ORDER BY x DESC NULLS FIRST FETCH NEXT 5 ROWS ONLY", "SELECT x FROM t ORDER BY x DESC NULLS FIRST LIMIT 5")]
    public void Format_ParsedQuery_PrintsCanonicalSql(string sql, string expected)
    {
        SqlFormatter.Format(SqlParser.ParseStatement(sql)).ShouldBe(expected);
    }

    [Fact]
    public void Format_CreateTable_PrintsOneElementPerLine()
    {
        var table = new SqlCreateTable(Id("orders"), false, false,
            List<SqlColumnDefinition>(
                new SqlPhysicalColumn("id", DataType.BigInt.NotNull(), "the id", P),
                new SqlComputedColumn("total", Bin(SqlBinaryOperator.Multiply, Id("price"), Int("2")), null, P),
                new SqlMetadataColumn("ts", DataType.TimestampLtz(3), "timestamp", true, null, P)),
            new SqlWatermarkDefinition("ts", Id("ts"), P),
            new SqlPrimaryKey(null, List("id"), P),
            null,
            SqlList<string>.Empty,
            List(new SqlTableOption("connector", "print", P)),
            P);

        table.ToString().ShouldBe("""
            CREATE TABLE orders (
              id BIGINT NOT NULL COMMENT 'the id',
              total AS price * 2,
              ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
              WATERMARK FOR ts AS ts,
              PRIMARY KEY (id) NOT ENFORCED
            ) WITH (
              'connector' = 'print'
            )
            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Format_ShellStatements_PrintKeywords()
    {
        new SqlSet("a.b", "it's", P).ToString().ShouldBe("SET 'a.b' = 'it''s'");
        new SqlReset(null, P).ToString().ShouldBe("RESET");
        new SqlShow(SqlObjectKind.Function, P).ToString().ShouldBe("SHOW FUNCTIONS");
        new SqlDrop(SqlObjectKind.View, Id("v"), true, true, P).ToString().ShouldBe("DROP TEMPORARY VIEW IF EXISTS v");
        new SqlCreateFunction(Id("f"), true, false, false, "My.Type", "CSHARP", P).ToString().ShouldBe("CREATE TEMPORARY FUNCTION f AS 'My.Type' LANGUAGE CSHARP");
    }

    [Fact]
    public void QuoteName_NamesThatNeedQuotes_AreBackQuoted()
    {
        SqlFormatter.QuoteName("price").ShouldBe("price");
        SqlFormatter.QuoteName("from").ShouldBe("`from`");
        SqlFormatter.QuoteName("date").ShouldBe("`date`");
        SqlFormatter.QuoteName("a b").ShouldBe("`a b`");
        SqlFormatter.QuoteName("a`b").ShouldBe("`a``b`");
        SqlFormatter.QuoteName("1a").ShouldBe("`1a`");
    }
}
