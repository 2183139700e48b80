using Sluice.Sql.Session;
using Sluice.Sql.Syntax;
using static Sluice.Sql.Tests.Syntax.Ast;

namespace Sluice.Sql.Tests.Syntax;

/// <summary>CREATE / DROP / SHOW MATERIALIZED VIEW: parsed, formatted back, and refused by a session without a server.</summary>
public sealed class SqlParserMaterializedViewTests
{
    [Fact]
    public void ParseStatement_CreateMaterializedView_ReadsNameOptionsAndQuery()
    {
        var view = SqlParser.ParseStatement(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS balances WITH ('checkpoint.interval' = '1 s') AS SELECT acct, SUM(amount) AS balance FROM moves GROUP BY acct")
            .ShouldBeOfType<SqlCreateMaterializedView>();

        view.Name.ShouldBe(Id("balances"));
        view.IfNotExists.ShouldBeTrue();
        view.Options.ShouldBe(List(new SqlTableOption("checkpoint.interval", "1 s", P)));
        view.Query.ShouldBe(SqlParser.ParseQuery("SELECT acct, SUM(amount) AS balance FROM moves GROUP BY acct"));
    }

    [Fact]
    public void ParseStatement_CreateMaterializedViewWithoutOptions_HasNone()
    {
        var view = SqlParser.ParseStatement("create materialized view v as select 1").ShouldBeOfType<SqlCreateMaterializedView>();

        view.IfNotExists.ShouldBeFalse();
        view.Options.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void ParseStatement_DropAndShowMaterializedViews_ReadKind()
    {
        SqlParser.ParseStatement("DROP MATERIALIZED VIEW IF EXISTS v").ShouldBe(new SqlDrop(SqlObjectKind.MaterializedView, Id("v"), false, true, P));
        SqlParser.ParseStatement("DROP MATERIALIZED VIEW v").ShouldBe(new SqlDrop(SqlObjectKind.MaterializedView, Id("v"), false, false, P));
        SqlParser.ParseStatement("SHOW MATERIALIZED VIEWS").ShouldBe(new SqlShow(SqlObjectKind.MaterializedView, P));
    }

    [Theory]
    [InlineData("CREATE MATERIALIZED VIEW v WITH ('a' = 'b') AS SELECT x FROM t")]
    [InlineData("DROP MATERIALIZED VIEW IF EXISTS v")]
    [InlineData("SHOW MATERIALIZED VIEWS")]
    public void Format_MaterializedViewStatements_ParsesBackToTheSameTree(string sql)
    {
        var statement = SqlParser.ParseStatement(sql);

        SqlParser.ParseStatement(SqlFormatter.Format(statement)).ShouldBe(statement);
    }

    [Theory]
    [InlineData("CREATE MATERIALIZED VIEW v AS", "a query")]
    [InlineData("CREATE MATERIALIZED TABLE v AS SELECT 1", "VIEW")]
    [InlineData("CREATE TEMPORARY MATERIALIZED VIEW v AS SELECT 1", "FUNCTION")]
    [InlineData("SHOW MATERIALIZED TABLES", "VIEWS")]
    public void ParseStatement_MalformedMaterializedView_FailsNamingWhatWasExpected(string sql, string expected)
    {
        var error = Should.Throw<SqlException>(() => SqlParser.ParseStatement(sql));

        error.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("CREATE MATERIALIZED VIEW v AS SELECT 1", "CREATE MATERIALIZED VIEW")]
    [InlineData("DROP MATERIALIZED VIEW v", "DROP MATERIALIZED VIEW")]
    [InlineData("SHOW MATERIALIZED VIEWS", "SHOW MATERIALIZED VIEWS")]
    public void Execute_MaterializedViewStatementWithoutServer_IsRefusedNamingTheServer(string sql, string kind)
    {
        var session = SqlSession.Create();

        var error = Should.Throw<SqlException>(() => session.Execute(sql));

        error.Reason.ShouldStartWith(kind + " runs on a Sluice server");
    }
}
