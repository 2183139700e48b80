namespace Sluice.Sql.Syntax;

/// <summary>
/// One token of SQL text: its kind, where it is, and — for quoted identifiers, strings and bytes only — its
/// unescaped value. Words and numbers are read from the text by offset, so lexing them allocates nothing.
/// </summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Position">Where the token starts.</param>
/// <param name="Length">How many characters of the text the token spans, quotes included.</param>
/// <param name="Value">The unescaped content of a quoted identifier, string or X'…' literal; otherwise null.</param>
internal readonly record struct SqlToken(SqlTokenKind Kind, SqlPosition Position, int Length, string? Value)
{
    /// <summary>The offset of the token's first character.</summary>
    public int Start => Position.Offset;

    /// <summary>The offset just past the token's last character.</summary>
    public int End => Position.Offset + Length;
}
