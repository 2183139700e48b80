namespace Sluice.Sql.Syntax;

/// <summary>The kinds of token <see cref="SqlLexer"/> produces.</summary>
internal enum SqlTokenKind
{
    /// <summary>The end of the text.</summary>
    End,
    /// <summary>An unquoted word: a keyword or an identifier (which one depends on where it stands).</summary>
    Word,
    /// <summary>A back-quoted identifier; its value has the quotes removed and doubled back quotes undone.</summary>
    QuotedIdentifier,
    /// <summary>A '…' string; its value has the quotes removed and doubled quotes undone.</summary>
    String,
    /// <summary>X'…' bytes; its value is the hex digits.</summary>
    Binary,
    /// <summary>An unsigned integer: digits only.</summary>
    Integer,
    /// <summary>An unsigned exact decimal with a point: <c>1.5</c>, <c>.5</c>, <c>2.</c>.</summary>
    Decimal,
    /// <summary>An unsigned approximate number with an exponent: <c>1E10</c>, <c>2.5e-3</c>.</summary>
    Approximate,
    /// <summary><c>(</c></summary>
    LeftParen,
    /// <summary><c>)</c></summary>
    RightParen,
    /// <summary><c>[</c></summary>
    LeftBracket,
    /// <summary><c>]</c></summary>
    RightBracket,
    /// <summary><c>,</c></summary>
    Comma,
    /// <summary><c>.</c></summary>
    Dot,
    /// <summary><c>;</c></summary>
    Semicolon,
    /// <summary><c>+</c></summary>
    Plus,
    /// <summary><c>-</c></summary>
    Minus,
    /// <summary><c>*</c></summary>
    Star,
    /// <summary><c>/</c></summary>
    Slash,
    /// <summary><c>%</c></summary>
    Percent,
    /// <summary><c>||</c></summary>
    Concat,
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>&lt;&gt;</c> or <c>!=</c></summary>
    NotEqual,
    /// <summary><c>&lt;</c></summary>
    Less,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>&gt;</c></summary>
    Greater,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>=&gt;</c>, of named arguments.</summary>
    Arrow,
}
