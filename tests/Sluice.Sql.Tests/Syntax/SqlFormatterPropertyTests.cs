using CsCheck;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlFormatterPropertyTests
{
    [Fact]
    public void Format_GeneratedExpression_ParsesBackToEqualTree()
    {
        SqlTreeGenerators.Expression.Sample(expression =>
        {
            var printed = SqlFormatter.Format(expression);

            var reparsed = SqlParser.ParseExpression(printed);

            reparsed.ShouldBe(expression, printed);
        }, iter: 3000, print: SqlFormatter.Format);
    }

    [Fact]
    public void Format_GeneratedQuery_ParsesBackToEqualTree()
    {
        SqlTreeGenerators.Query.Sample(query =>
        {
            var printed = SqlFormatter.Format(query);

            var reparsed = SqlParser.ParseQuery(printed);

            reparsed.ShouldBe(query, printed);
        }, iter: 1000, print: SqlFormatter.Format);
    }

    [Fact]
    public void Format_GeneratedQuery_IsStable()
    {
        SqlTreeGenerators.Query.Sample(query =>
        {
            var printed = SqlFormatter.Format(query);

            SqlFormatter.Format(SqlParser.ParseQuery(printed)).ShouldBe(printed);
        }, iter: 300, print: SqlFormatter.Format);
    }
}
