using Sluice.Sql.Syntax;

namespace Sluice.Sql.Tests.Syntax;

public sealed class SqlLexerTests
{
    [Fact]
    public void Tokenize_MixedText_GivesKindsAndPositions()
    {
        var tokens = SqlLexer.Tokenize("SELECT `a``b`, 'it''s'\n  FROM t -- note\n/* block */ WHERE x <> 1.5e3");

        tokens.Select(t => t.Kind).ShouldBe(
        [
            SqlTokenKind.Word, SqlTokenKind.QuotedIdentifier, SqlTokenKind.Comma, SqlTokenKind.String,
            SqlTokenKind.Word, SqlTokenKind.Word, SqlTokenKind.Word, SqlTokenKind.Word, SqlTokenKind.NotEqual,
            SqlTokenKind.Approximate, SqlTokenKind.End,
        ]);
        tokens[1].Value.ShouldBe("a`b");
        tokens[3].Value.ShouldBe("it's");
        tokens[4].Position.ShouldBe(new SqlPosition(25, 2, 3));
        tokens[6].Position.ToString().ShouldBe("3:13");
    }

    [Theory]
    [InlineData("42", SqlTokenKind.Integer)]
    [InlineData("4.25", SqlTokenKind.Decimal)]
    [InlineData(".5", SqlTokenKind.Decimal)]
    [InlineData("2.", SqlTokenKind.Decimal)]
    [InlineData("1E10", SqlTokenKind.Approximate)]
    [InlineData("2.5e-3", SqlTokenKind.Approximate)]
    [InlineData("X'0aFF'", SqlTokenKind.Binary)]
    [InlineData("||", SqlTokenKind.Concat)]
    [InlineData("!=", SqlTokenKind.NotEqual)]
    [InlineData("=>", SqlTokenKind.Arrow)]
    [InlineData(">=", SqlTokenKind.GreaterOrEqual)]
    public void Tokenize_OneToken_HasKind(string text, object kind) // object: SqlTokenKind is internal, a public test cannot take it
    {
        var tokens = SqlLexer.Tokenize(text);

        tokens.Count.ShouldBe(2);
        tokens[0].Kind.ShouldBe((SqlTokenKind)kind);
        tokens[0].Length.ShouldBe(text.Length);
    }

    [Theory]
    [InlineData("SELECT 'abc", "1:8", "This string is not closed")]
    [InlineData("SELECT `abc", "1:8", "This identifier is not closed")]
    [InlineData("SELECT 1 /* open", "1:10", "This comment is not closed")]
    [InlineData("FROM ${NEXMARK_TABLE}", "1:6", "placeholder")]
    [InlineData("SELECT 1e", "1:8", "exponent without digits")]
    [InlineData("SELECT 12abc", "1:8", "is not a number")]
    [InlineData("SELECT X'ABC'", "1:8", "odd number of hex digits")]
    [InlineData("SELECT \"a\"", "1:8", "Double quotes")]
    [InlineData("SELECT a\n  # b", "2:3", "The character '#' is not SQL")]
    public void Tokenize_BadText_ThrowsAtPosition(string sql, string position, string message)
    {
        var error = Should.Throw<SqlException>(() => SqlLexer.Tokenize(sql));

        error.Position.ToString().ShouldBe(position);
        error.Message.ShouldContain(message);
    }
}
