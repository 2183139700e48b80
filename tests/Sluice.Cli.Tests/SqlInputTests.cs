using Sluice.Cli.Sql;

namespace Sluice.Cli.Tests;

/// <summary>When the SQL shell's input ends a statement.</summary>
public sealed class SqlInputTests
{
    [Theory]
    [InlineData("SHOW TABLES;", true)]
    [InlineData("SELECT *\nFROM t\n", false)]
    [InlineData("SELECT *\nFROM t;\n", true)]
    [InlineData("SELECT 'a;b' FROM t", false)]
    [InlineData("SELECT 'a;\n", false)]
    [InlineData("SELECT 1 -- done;\n", false)]
    [InlineData("SELECT 1 /* ; */", false)]
    [InlineData("SELECT 1 /* ;", false)]
    [InlineData("SELECT `a;", false)]
    [InlineData("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\n", false)]
    [InlineData("EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT 1;\nEND;", true)]
    [InlineData("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\n", false)]
    [InlineData("SELECT \"x\";", true)]
    [InlineData("", false)]
    public void IsComplete_Text_EndsAStatementOnlyAtASemicolonOutsideQuotesCommentsAndSets(string text, bool expected) =>
        SqlInput.IsComplete(text).ShouldBe(expected);

    [Theory]
    [InlineData("quit;", "QUIT")]
    [InlineData("  Help ;\n", "HELP")]
    [InlineData("EXIT;", "EXIT")]
    [InlineData("SHOW TABLES;", null)]
    public void ShellCommand_Text_IsRecognizedInAnyCase(string text, string? expected) =>
        SqlInput.ShellCommand(text).ShouldBe(expected);

    [Fact]
    public void Split_SeveralStatements_CutsAfterEachTopLevelSemicolon() =>
        SqlInput.Split("SHOW TABLES; QUIT;\nEXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;\n").ShouldBe(
            ["SHOW TABLES;", " QUIT;", "\nEXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;"]);
}
