using System.Text;
using Sluice.Schemas;

namespace Sluice.Sql.Syntax;

/// <summary>
/// A hand-written recursive-descent parser for Sluice's Flink SQL dialect (see docs/sql.md): statements, queries and
/// expressions into the immutable syntax tree of <see cref="SqlNode"/>s, every node with its position. Types are read
/// by Core's one type grammar (<see cref="DataType.TryParse"/>).
/// </summary>
/// <remarks>
/// Every failure is a <see cref="SqlException"/> at the line:column of the offending token whose message lists what
/// was expected there ("Expected FROM, ',' or an alias but found 'bid'."); no input makes it throw anything else,
/// loop or overflow the stack (nesting deeper than <see cref="MaxDepth"/> is an error). The static entry points are
/// thread-safe; a parser instance is used for one text only.
/// </remarks>
internal sealed partial class SqlParser
{
    /// <summary>The deepest nesting of parentheses, subqueries and prefix operators the parser accepts.</summary>
    public const int MaxDepth = 200;

    private const int MaxExpectedListed = 12;

    private readonly string _text;
    private readonly IReadOnlyList<SqlToken> _tokens;
    private readonly List<string> _expected = [];
    private int _index;
    private int _expectedIndex = -1;
    private int _depth;

    private SqlParser(string text)
    {
        _text = text;
        _tokens = SqlLexer.Tokenize(text);
    }

    /// <summary>
    /// Parses a script: statements separated by semicolons (a final semicolon is optional; empty statements are
    /// skipped). <c>BEGIN STATEMENT SET; …; END;</c> spans several semicolons and is one statement.
    /// </summary>
    /// <exception cref="SqlException">The text is not a valid script.</exception>
    public static IReadOnlyList<SqlStatement> ParseScript(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        var statements = new List<SqlStatement>();
        while (true)
        {
            while (parser.TrySymbol(SqlTokenKind.Semicolon))
            {
            }
            if (parser.Current.Kind == SqlTokenKind.End)
            {
                return statements;
            }
            statements.Add(parser.ParseStatement());
            if (parser.Current.Kind != SqlTokenKind.End)
            {
                parser.ExpectSymbol(SqlTokenKind.Semicolon);
            }
        }
    }

    /// <summary>Parses exactly one statement, optionally followed by a semicolon.</summary>
    /// <exception cref="SqlException">The text is not one valid statement.</exception>
    public static SqlStatement ParseStatement(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        var statement = parser.ParseStatement();
        parser.TrySymbol(SqlTokenKind.Semicolon);
        parser.ExpectEnd();
        return statement;
    }

    /// <summary>Parses one query (SELECT, VALUES, WITH, set operations, ORDER BY/LIMIT).</summary>
    /// <exception cref="SqlException">The text is not one valid query.</exception>
    public static SqlQuery ParseQuery(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        var query = parser.ParseQuery();
        parser.ExpectEnd();
        return query;
    }

    /// <summary>Parses one expression.</summary>
    /// <exception cref="SqlException">The text is not one valid expression.</exception>
    public static SqlExpression ParseExpression(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        var expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    private SqlToken Current => _tokens[_index];

    private SqlToken Peek(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private void Advance()
    {
        if (_index < _tokens.Count - 1)
        {
            _index++;
        }
    }

    private bool IsWord(string keyword, int ahead = 0)
    {
        var token = Peek(ahead);
        return token.Kind == SqlTokenKind.Word && token.Length == keyword.Length
            && string.Compare(_text, token.Start, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0;
    }

    private bool Is(SqlTokenKind kind, int ahead = 0) => Peek(ahead).Kind == kind;

    private bool TryKeyword(string keyword)
    {
        if (IsWord(keyword))
        {
            Advance();
            return true;
        }
        Note(keyword);
        return false;
    }

    /// <summary>Takes <paramref name="keyword"/> if it is next, without listing it among the expected tokens of an
    /// error (for optional operators and modifiers that would only clutter the message).</summary>
    private bool Accept(string keyword)
    {
        if (IsWord(keyword))
        {
            Advance();
            return true;
        }
        return false;
    }

    private SqlPosition ExpectKeyword(string keyword)
    {
        var position = Current.Position;
        if (!TryKeyword(keyword))
        {
            throw Unexpected(keyword);
        }
        return position;
    }

    private bool TrySymbol(SqlTokenKind kind)
    {
        if (Current.Kind == kind)
        {
            Advance();
            return true;
        }
        Note(Describe(kind));
        return false;
    }

    private SqlPosition ExpectSymbol(SqlTokenKind kind)
    {
        var position = Current.Position;
        if (!TrySymbol(kind))
        {
            throw Unexpected(Describe(kind));
        }
        return position;
    }

    private void ExpectEnd()
    {
        if (Current.Kind != SqlTokenKind.End)
        {
            throw Unexpected("the end of the statement");
        }
    }

    /// <summary>Records that <paramref name="what"/> would have been accepted at the current token.</summary>
    private void Note(string what)
    {
        if (_index > _expectedIndex)
        {
            _expectedIndex = _index;
            _expected.Clear();
        }
        if (_index == _expectedIndex && !_expected.Contains(what))
        {
            _expected.Add(what);
        }
    }

    private SqlException Unexpected(string what)
    {
        Note(what);
        var text = new StringBuilder("Expected ");
        var count = Math.Min(_expected.Count, MaxExpectedListed);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(i == count - 1 && count == _expected.Count ? " or " : ", ");
            }
            text.Append(_expected[i]);
        }
        if (count < _expected.Count)
        {
            text.Append(", …");
        }
        text.Append(" but found ").Append(Describe(Current)).Append('.');
        return new SqlException(text.ToString(), Current.Position);
    }

    private SqlException Error(string sentence, SqlPosition position) => new(sentence, position);

    private SqlException Unsupported(string feature, SqlPosition position) =>
        new($"{feature} is not supported by Sluice yet.", position);

    private string Describe(SqlToken token)
    {
        if (token.Kind == SqlTokenKind.End)
        {
            return "the end of the statement";
        }
        var text = token.Length > 40 ? string.Concat(_text.AsSpan(token.Start, 37), "…") : _text.Substring(token.Start, token.Length);
        return token.Kind == SqlTokenKind.String ? $"the string {text}" : $"'{text}'";
    }

    private static string Describe(SqlTokenKind kind) => kind switch
    {
        SqlTokenKind.LeftParen => "'('",
        SqlTokenKind.RightParen => "')'",
        SqlTokenKind.LeftBracket => "'['",
        SqlTokenKind.RightBracket => "']'",
        SqlTokenKind.Comma => "','",
        SqlTokenKind.Dot => "'.'",
        SqlTokenKind.Semicolon => "';'",
        SqlTokenKind.Equal => "'='",
        SqlTokenKind.Arrow => "'=>'",
        SqlTokenKind.String => "a string",
        SqlTokenKind.Integer => "an integer",
        _ => kind.ToString(),
    };

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"The statement nests more than {MaxDepth} levels deep here.", Current.Position);
        }
    }

    private void Exit() => _depth--;

    private string Word() => _text.Substring(Current.Start, Current.Length);

    /// <summary>A name: a back-quoted identifier, or a word that is not reserved.</summary>
    private bool IsName(int ahead = 0)
    {
        var token = Peek(ahead);
        return token.Kind == SqlTokenKind.QuotedIdentifier
            || (token.Kind == SqlTokenKind.Word && !SqlKeywords.IsReserved(_text.Substring(token.Start, token.Length)));
    }

    private bool TryName(out string name)
    {
        if (IsName())
        {
            name = Current.Kind == SqlTokenKind.QuotedIdentifier ? Current.Value! : Word();
            Advance();
            return true;
        }
        Note("a name");
        name = "";
        return false;
    }

    private string ExpectName(string what = "a name")
    {
        if (IsName())
        {
            var name = Current.Kind == SqlTokenKind.QuotedIdentifier ? Current.Value! : Word();
            Advance();
            return name;
        }
        throw Unexpected(what);
    }

    /// <summary>A name part after a dot: any word, reserved or not, or a quoted identifier.</summary>
    private string ExpectNamePart()
    {
        if (Current.Kind == SqlTokenKind.QuotedIdentifier)
        {
            var value = Current.Value!;
            Advance();
            return value;
        }
        if (Current.Kind == SqlTokenKind.Word)
        {
            var word = Word();
            Advance();
            return word;
        }
        throw Unexpected("a name");
    }

    private SqlIdentifier ParseCompoundName(string what = "a name")
    {
        var position = Current.Position;
        var names = new List<string> { ExpectName(what) };
        while (Is(SqlTokenKind.Dot) && Peek(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            Advance();
            names.Add(ExpectNamePart());
        }
        return new SqlIdentifier(new SqlList<string>(names), position);
    }

    private SqlList<string> ParseNameList()
    {
        ExpectSymbol(SqlTokenKind.LeftParen);
        var names = new List<string>();
        do
        {
            names.Add(ExpectName("a column name"));
        }
        while (TrySymbol(SqlTokenKind.Comma));
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlList<string>(names);
    }

    private string ExpectString(string what = "a string")
    {
        if (Current.Kind == SqlTokenKind.String)
        {
            var value = Current.Value!;
            Advance();
            return value;
        }
        throw Unexpected(what);
    }

    /// <summary>Reads a type with Core's type grammar, starting at the current token, and moves past it.</summary>
    private DataType ParseType()
    {
        var start = Current;
        if (start.Kind == SqlTokenKind.End)
        {
            throw Unexpected("a type");
        }
        if (!DataType.TryParse(_text, start.Start, out var type, out var end, out var error, out var isExpectation))
        {
            var at = TokenAtOrAfter(end);
            var found = _tokens[at];
            var position = found.Start == end || found.Kind == SqlTokenKind.End ? found.Position : SqlPosition.At(_text, Math.Min(end, _text.Length));
            var reason = isExpectation ? $"Expected {error} but found {Describe(found)}." : error.EndsWith('.') ? error : error + ".";
            throw Error(reason, position);
        }
        var next = TokenAtOrAfter(end);
        if (next > 0 && _tokens[next - 1].End > end)
        {
            throw Error($"The type ends inside {Describe(_tokens[next - 1])}.", _tokens[next - 1].Position);
        }
        _index = Math.Max(next, _index + 1);
        return type;
    }

    private int TokenAtOrAfter(int offset)
    {
        int i = _index;
        while (_tokens[i].Kind != SqlTokenKind.End && _tokens[i].Start < offset)
        {
            i++;
        }
        return i;
    }
}
