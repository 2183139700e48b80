using Sluice.Schemas;
using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlParserStatementTests
{
    [Fact]
    public void ParseStatement_CreateTableWithEveryElement_ReadsThem()
    {
        const string sql = """
            CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.orders (
              id BIGINT NOT NULL COMMENT 'order id',
              price DECIMAL(10, 2),
              tags ARRAY<STRING>,
              total AS price * 2 COMMENT 'doubled',
              ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
              part INT METADATA,
              WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
              CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED
            ) COMMENT 'orders' PARTITIONED BY (part) WITH (
              'connector' = 'kafka',
              'topic' = 'it''s'
            )
            """;

        var table = SqlParser.ParseStatement(sql).ShouldBeOfType<SqlCreateTable>();

        table.Name.ShouldBe(Id("cat", "db", "orders"));
        table.Temporary.ShouldBeTrue();
        table.IfNotExists.ShouldBeTrue();
        table.Columns.ShouldBe(List<SqlColumnDefinition>(
            new SqlPhysicalColumn("id", DataType.BigInt.NotNull(), "order id", P),
            new SqlPhysicalColumn("price", DataType.Decimal(10, 2), null, P),
            new SqlPhysicalColumn("tags", DataType.Array(DataType.Varchar), null, P),
            new SqlComputedColumn("total", Bin(SqlBinaryOperator.Multiply, Id("price"), Int("2")), "doubled", P),
            new SqlMetadataColumn("ts", DataType.TimestampLtz(3), "timestamp", true, null, P),
            new SqlMetadataColumn("part", DataType.Int, null, false, null, P)));
        table.Watermark.ShouldBe(new SqlWatermarkDefinition("ts",
            Bin(SqlBinaryOperator.Subtract, Id("ts"), new SqlIntervalLiteral("5", false, SqlTimeUnit.Second, null, 0, TimeSpan.FromSeconds(5), P)), P));
        table.PrimaryKey.ShouldBe(new SqlPrimaryKey("pk", List("id"), P));
        table.Comment.ShouldBe("orders");
        table.PartitionedBy.ShouldBe(List("part"));
        table.Options.ShouldBe(List(new SqlTableOption("connector", "kafka", P), new SqlTableOption("topic", "it's", P)));
    }

    [Fact]
    public void ParseStatement_ColumnPrimaryKey_BecomesTableKey()
    {
        var table = SqlParser.ParseStatement("CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING) WITH ('connector' = 'print')").ShouldBeOfType<SqlCreateTable>();

        table.PrimaryKey.ShouldBe(new SqlPrimaryKey(null, List("id"), P));
        table.Temporary.ShouldBeFalse();
    }

    [Fact]
    public void ParseStatement_CreateViewAndFunction_ReadNamesAndOptions()
    {
        SqlParser.ParseStatement("CREATE TEMPORARY VIEW v (a) AS SELECT 1").ShouldBe(
            new SqlCreateView(Id("v"), true, false, List("a"), null,
                new SqlSelect(false, List(new SqlSelectItem(Int("1"), null, P)), null, null, SqlList<SqlExpression>.Empty, null, SqlList<SqlNamedWindow>.Empty, P), P));
        SqlParser.ParseStatement("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS count_char AS 'Nexmark.CountChar' LANGUAGE csharp").ShouldBe(
            new SqlCreateFunction(Id("count_char"), true, true, true, "Nexmark.CountChar", "CSHARP", P));
    }

    [Theory]
    [InlineData("DROP TABLE IF EXISTS t", SqlObjectKind.Table, false, true)]
    [InlineData("DROP TEMPORARY VIEW v", SqlObjectKind.View, true, false)]
    [InlineData("drop function f", SqlObjectKind.Function, false, false)]
    // The parameter is object because SqlObjectKind is internal and a public test method cannot name it.
    public void ParseStatement_Drop_ReadsKindAndFlags(string sql, object kind, bool temporary, bool ifExists)
    {
        var drop = SqlParser.ParseStatement(sql).ShouldBeOfType<SqlDrop>();

        drop.Kind.ShouldBe((SqlObjectKind)kind);
        drop.Temporary.ShouldBe(temporary);
        drop.IfExists.ShouldBe(ifExists);
    }

    [Fact]
    public void ParseStatement_ShellStatements_ReadTheirArguments()
    {
        SqlParser.ParseStatement("SHOW TABLES").ShouldBe(new SqlShow(SqlObjectKind.Table, P));
        SqlParser.ParseStatement("SHOW VIEWS;").ShouldBe(new SqlShow(SqlObjectKind.View, P));
        SqlParser.ParseStatement("SHOW FUNCTIONS").ShouldBe(new SqlShow(SqlObjectKind.Function, P));
        SqlParser.ParseStatement("DESC bid").ShouldBe(new SqlDescribe(Id("bid"), P));
        SqlParser.ParseStatement("DESCRIBE bid").ShouldBe(new SqlDescribe(Id("bid"), P));
        SqlParser.ParseStatement("SET 'table.exec.state.ttl' = '1 h'").ShouldBe(new SqlSet("table.exec.state.ttl", "1 h", P));
        SqlParser.ParseStatement("SET").ShouldBe(new SqlSet(null, null, P));
        SqlParser.ParseStatement("RESET 'parallelism.default'").ShouldBe(new SqlReset("parallelism.default", P));
        SqlParser.ParseStatement("RESET").ShouldBe(new SqlReset(null, P));
        SqlParser.ParseStatement("EXPLAIN PLAN FOR SELECT 1").ShouldBeOfType<SqlExplain>().Statement.ShouldBeOfType<SqlQueryStatement>();
        SqlParser.ParseStatement("EXPLAIN INSERT INTO t SELECT 1").ShouldBeOfType<SqlExplain>().Statement.ShouldBeOfType<SqlInsert>();
    }

    [Fact]
    public void ParseStatement_InsertWithColumns_ReadsTargetAndQuery()
    {
        var insert = SqlParser.ParseStatement("INSERT INTO sink (a, b) SELECT x, y FROM src").ShouldBeOfType<SqlInsert>();

        insert.Table.ShouldBe(Id("sink"));
        insert.Columns.ShouldBe(List("a", "b"));
        insert.Query.ShouldBeOfType<SqlSelect>();
        SqlParser.ParseStatement("INSERT INTO sink (SELECT 1)").ShouldBeOfType<SqlInsert>().Columns.ShouldBeEmpty();
    }

    [Fact]
    public void ParseScript_StatementSets_BothForms_HoldTheirInserts()
    {
        var statements = SqlParser.ParseScript("""
            EXECUTE STATEMENT SET BEGIN
              INSERT INTO a SELECT 1;
              INSERT INTO b SELECT 2;
            END;
            BEGIN STATEMENT SET;
            INSERT INTO c SELECT 3;
            END;
            SELECT 4
            """);

        statements.Count.ShouldBe(3);
        statements[0].ShouldBeOfType<SqlStatementSet>().Inserts.Select(i => i.Table.Name).ShouldBe(["a", "b"]);
        statements[1].ShouldBeOfType<SqlStatementSet>().Inserts.Select(i => i.Table.Name).ShouldBe(["c"]);
        statements[2].ShouldBeOfType<SqlQueryStatement>();
    }

    [Fact]
    public void ParseScript_EmptyStatementsAndComments_AreSkipped()
    {
        SqlParser.ParseScript(";; -- nothing\n/* at all */ ;").ShouldBeEmpty();
    }
}
