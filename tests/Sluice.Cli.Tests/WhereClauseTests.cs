using Sluice.Cli.Delta;
using Sluice.Connectors.Delta;
using Sluice.Schemas;

namespace Sluice.Cli.Tests;

/// <summary>The <c>--where</c> of <c>sluice delta optimize</c>: operators inside quoted values are part of the value.</summary>
public sealed class WhereClauseTests
{
    private static readonly Schema s_schema = Schema.Parse("region STRING, id BIGINT");

    [Theory]
    [InlineData("region = 'a<=b'", "region", "=", "a<=b")]
    [InlineData("region >= 'x=y'", "region", ">=", "x=y")]
    [InlineData("region = 'it''s > here'", "region", "=", "it's > here")]
    [InlineData("region<'b'", "region", "<", "b")]
    public void Parse_OperatorCharactersInsideAQuotedValue_SplitAtTheOperatorOutsideTheQuotes(string text, string column, string op, string value)
    {
        var predicate = WhereClause.Parse(text, s_schema);

        predicate.Column.ShouldBe(column);
        predicate.Value.ShouldBe(value);
        predicate.Comparison.ShouldBe(op switch
        {
            "=" => DeltaComparison.Equal,
            "<" => DeltaComparison.LessThan,
            _ => DeltaComparison.GreaterThanOrEqual,
        });
    }

    [Fact]
    public void Parse_NoOperatorOutsideTheQuotes_IsRefused()
    {
        Should.Throw<CommandFailedException>(() => WhereClause.Parse("'region = eu'", s_schema)).Message.ShouldContain("is not 'column op value'");
    }
}
