namespace Sluice.Sql;

/// <summary>
/// A place in SQL text: a 1-based line and column, and the 0-based character offset they stand for. Every syntax
/// node and every error carries one, so a message can point at the text the user wrote.
/// </summary>
/// <param name="Offset">The 0-based character offset into the statement text.</param>
/// <param name="Line">The 1-based line; lines end at <c>\n</c> (a preceding <c>\r</c> belongs to the line).</param>
/// <param name="Column">The 1-based column, counted in UTF-16 characters; a tab counts as one.</param>
public readonly record struct SqlPosition(int Offset, int Line, int Column)
{
    /// <summary>The start of a text.</summary>
    public static SqlPosition Start => new(0, 1, 1);

    /// <summary>The position of <paramref name="offset"/> in <paramref name="text"/>, counting lines and columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or past the end of the text.</exception>
    public static SqlPosition At(string text, int offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, text.Length);
        int line = 1, lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SqlPosition(offset, line, offset - lineStart + 1);
    }

    /// <summary><c>line:column</c>, as error messages print it.</summary>
    public override string ToString() => $"{Line}:{Column}";
}
