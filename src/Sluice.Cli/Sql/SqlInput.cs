using Sluice.Sql;
using Sluice.Sql.Syntax;

namespace Sluice.Cli.Sql;

/// <summary>
/// When the shell's input holds whole statements: it ends with a <c>;</c> that is outside strings, quoted names and
/// comments (decided by the SQL lexer), and outside an open <c>BEGIN STATEMENT SET … END</c> block. Stateless.
/// </summary>
internal static class SqlInput
{
    /// <summary>Whether <paramref name="text"/> ends a statement and can be run; text that cannot be tokenized for another reason than an unclosed quote or comment counts as complete, so its error is shown.</summary>
    public static bool IsComplete(string text)
    {
        IReadOnlyList<SqlToken> tokens;
        try
        {
            tokens = SqlLexer.Tokenize(text);
        }
        catch (SqlException e) when (e.Reason.Contains("is not closed", StringComparison.Ordinal))
        {
            return false;
        }
        catch (SqlException)
        {
            return true;
        }

        var inStatementSet = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (IsWord(text, tokens, i, "BEGIN") && (IsWord(text, tokens, i - 1, "SET") || IsWord(text, tokens, i + 1, "STATEMENT")))
            {
                inStatementSet = true;
            }
            else if (IsWord(text, tokens, i, "END") && inStatementSet)
            {
                inStatementSet = false;
            }
        }

        // The last token is End; the one before it must be the semicolon.
        return !inStatementSet && tokens.Count >= 2 && tokens[^2].Kind == SqlTokenKind.Semicolon;
    }

    /// <summary>
    /// Complete input (<see cref="IsComplete"/>) cut after each top-level <c>;</c>: one piece per statement or shell
    /// command, each with its semicolon; the whole text as one piece when it cannot be tokenized.
    /// </summary>
    public static IReadOnlyList<string> Split(string text)
    {
        IReadOnlyList<SqlToken> tokens;
        try
        {
            tokens = SqlLexer.Tokenize(text);
        }
        catch (SqlException)
        {
            return [text];
        }

        var pieces = new List<string>();
        var start = 0;
        var inStatementSet = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (IsWord(text, tokens, i, "BEGIN") && (IsWord(text, tokens, i - 1, "SET") || IsWord(text, tokens, i + 1, "STATEMENT")))
            {
                inStatementSet = true;
            }
            else if (IsWord(text, tokens, i, "END") && inStatementSet)
            {
                inStatementSet = false;
            }
            else if (tokens[i].Kind == SqlTokenKind.Semicolon && !inStatementSet)
            {
                pieces.Add(text[start..tokens[i].End]);
                start = tokens[i].End;
            }
        }

        if (text.AsSpan(start).Trim().Length > 0)
        {
            pieces.Add(text[start..]);
        }

        return pieces;
    }

    /// <summary>The shell's own command the text is (<c>HELP;</c>, <c>QUIT;</c>, <c>EXIT;</c>, any case), or null.</summary>
    public static string? ShellCommand(string text)
    {
        var command = text.Trim().TrimEnd(';').Trim().ToUpperInvariant();
        return command is "HELP" or "QUIT" or "EXIT" ? command : null;
    }

    private static bool IsWord(string text, IReadOnlyList<SqlToken> tokens, int index, string word) =>
        index >= 0 && index < tokens.Count && tokens[index].Kind == SqlTokenKind.Word
        && text.AsSpan(tokens[index].Start, tokens[index].Length).Equals(word, StringComparison.OrdinalIgnoreCase);
}
