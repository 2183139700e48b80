using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlParserErrorTests
{
    [Fact]
    public void ParseStatement_MissingFromTable_ListsWhatWasExpected()
    {
        const string sql = "SELECT a\nFROM WHERE x = 1";

        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement(sql));

        error.Message.ShouldBe("2:6: Expected LATERAL, '(', TABLE, UNNEST or a table name but found 'WHERE'.");
        error.Describe(sql).ShouldBe("2:6: Expected LATERAL, '(', TABLE, UNNEST or a table name but found 'WHERE'.\nFROM WHERE x = 1\n     ^");
    }

    [Fact]
    public void ParseStatement_GarbageAfterSelect_ListsClausesThatCouldFollow()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT a FROM t WHERE b c"));

        error.Position.ToString().ShouldBe("1:25");
        error.Reason.ShouldStartWith("Expected ");
        error.Reason.ShouldContain("GROUP");
        error.Reason.ShouldContain("ORDER");
        error.Reason.ShouldEndWith(" but found 'c'.");
    }

    [Fact]
    public void ParseStatement_UnclosedParenthesis_PointsAtEnd()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT f(a, b"));

        error.Message.ShouldBe("1:14: Expected ',' or ')' but found the end of the statement.");
    }

    [Fact]
    public void ParseStatement_UnknownStatement_NamesTheStatements()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELEC 1"));

        error.Message.ShouldBe("1:1: Expected a statement (SELECT, INSERT, CREATE, DROP, SHOW, DESCRIBE, EXPLAIN, SET, RESET, EXECUTE, BEGIN) but found 'SELEC'.");
    }

    [Fact]
    public void ParseStatement_BadType_PointsIntoTheType()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("CREATE TABLE t (a DECIMAL(10, x))"));

        error.Position.ToString().ShouldBe("1:31");
        error.Reason.ShouldBe("Expected a number but found 'x'.");
    }

    [Fact]
    public void ParseStatement_UnknownType_ListsTypes()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT CAST(a AS WIDGET)"));

        error.Position.ToString().ShouldBe("1:18");
        error.Reason.ShouldStartWith("Expected a type (BOOLEAN, INT");
        error.Reason.ShouldEndWith("but found 'WIDGET'.");
    }

    [Fact]
    public void ParseStatement_BadInterval_SaysHowToWriteIt()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT INTERVAL '1:70' MINUTE TO SECOND"));

        error.Message.ShouldBe("1:17: '1:70' is not a valid INTERVAL MINUTE TO SECOND: write 'minutes:seconds', e.g. '1:30'.");
    }

    [Fact]
    public void ParseStatement_BadDate_SaysTheFormat()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT DATE '2024-13-01'"));

        error.Message.ShouldBe("1:13: '2024-13-01' is not a valid DATE literal: write 'yyyy-MM-dd'.");
    }

    [Theory]
    [InlineData("INSERT OVERWRITE t SELECT 1", "1:8: INSERT OVERWRITE is not supported by Sluice yet.")]
    [InlineData("CREATE TABLE t (a INT) LIKE s", "1:24: CREATE TABLE … LIKE is not supported by Sluice yet.")]
    [InlineData("CREATE TABLE t WITH ('a' = 'b') AS SELECT 1", "1:16: Expected '(' but found 'WITH'.")]
    [InlineData("SELECT * FROM a NATURAL JOIN b", "1:17: NATURAL JOIN is not supported by Sluice yet.")]
    [InlineData("CREATE TABLE t (id INT, PRIMARY KEY (id))", "1:41: Expected NOT ENFORCED (Flink does not enforce primary keys; write PRIMARY KEY … NOT ENFORCED) but found ')'.")]
    public void ParseStatement_UnsupportedOrWrong_NamesIt(string sql, string message)
    {
        Should.Throw<SqlException>(() => SqlParser.ParseStatement(sql)).Message.ShouldBe(message);
    }

    [Fact]
    public void ParseStatement_ReservedWordAsName_AsksForAName()
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement("SELECT value FROM t"));

        error.Message.ShouldBe("1:8: Expected an expression but found 'value'.");
    }

    [Fact]
    public void ParseExpression_DeepNesting_IsAnErrorNotAStackOverflow()
    {
        var sql = new string('(', 5000) + "1" + new string(')', 5000);

        var error = Should.Throw<SqlException>(() => SqlParser.ParseExpression(sql));

        error.Reason.ShouldBe($"The statement nests more than {SqlParser.MaxDepth} levels deep here.");
    }

    [Theory]
    [InlineData("NOT ")]
    [InlineData("- ")]
    public void ParseExpression_ManyPrefixOperators_IsAnErrorNotAStackOverflow(string prefix)
    {
        var sql = string.Concat(Enumerable.Repeat(prefix, 5000)) + "1";

        Should.Throw<SqlException>(() => SqlParser.ParseExpression(sql)).Reason.ShouldContain("nests more than");
    }

    [Theory]
    [InlineData("SELECT * FROM t JOIN u", "1:23: Expected FOR, AS, a name, ON or USING but found the end of the statement.")]
    [InlineData("SELECT a FROM t GROUP a", "1:23: Expected BY but found 'a'.")]
    [InlineData("SELECT CASE WHEN a THEN b", "1:26: Expected WHEN, ELSE or END but found the end of the statement.")]
    [InlineData("CREATE TABLE t (a INT) WITH ('connector' 'x')", "1:42: Expected '=' but found the string 'x'.")]
    [InlineData("SELECT a, FROM t", "1:11: Expected an expression but found 'FROM'.")]
    [InlineData("INSERT INTO t VALUES (1,", "1:25: Expected an expression but found the end of the statement.")]
    [InlineData("SELECT a FROM t WHERE b c", "1:25: Expected GROUP, HAVING, WINDOW, INTERSECT, UNION, EXCEPT, ORDER, LIMIT, OFFSET, FETCH or ';' but found 'c'.")]
    [InlineData("SELECT INTERVAL '5' WEEK", "1:21: Expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND) but found 'WEEK'.")]
    [InlineData("CREATE TABLE t (a INT,) WITH ('connector' = 'x')", "1:23: Expected a column name, WATERMARK or PRIMARY KEY but found ')'.")]
    [InlineData("SELECT TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND", "1:60: Expected TO, ',' or ')' but found the end of the statement.")]
    public void ParseScript_SyntaxError_SaysWhatWasExpectedWhere(string sql, string message)
    {
        Should.Throw<SqlException>(() => SqlParser.ParseScript(sql)).Message.ShouldBe(message);
    }

    [Fact]
    public void ParseExpression_DeeplyNestedType_IsAnErrorNotAStackOverflow()
    {
        var sql = "CAST(x AS " + string.Concat(Enumerable.Repeat("ARRAY<", 100_000)) + "INT" + new string('>', 100_000) + ")";

        var error = Should.Throw<SqlException>(() => SqlParser.ParseExpression(sql));

        error.Reason.ShouldBe("Types nest at most 64 levels deep.");
        error.Position.ToString().ShouldBe("1:395");
    }
}
