namespace Sluice.Sql.Syntax;

// Expressions, by Calcite's precedence (loosest first): OR; AND; NOT; comparisons, IS, BETWEEN, IN, LIKE, SIMILAR
// (all at one level, left to right); + and -; *, /, % and ||; unary - and +; postfix [i] and .field; primaries.
public sealed partial class SqlParser
{
    private SqlExpression ParseExpression()
    {
        Enter();
        try
        {
            return ParseOr();
        }
        finally
        {
            Exit();
        }
    }

    private SqlExpression ParseOr()
    {
        var left = ParseAnd();
        while (IsWord("OR"))
        {
            var position = Current.Position;
            Advance();
            left = new SqlBinaryExpression(SqlBinaryOperator.Or, left, ParseAnd(), position);
        }
        return left;
    }

    private SqlExpression ParseAnd()
    {
        var left = ParseNot();
        while (IsWord("AND"))
        {
            var position = Current.Position;
            Advance();
            left = new SqlBinaryExpression(SqlBinaryOperator.And, left, ParseNot(), position);
        }
        return left;
    }

    private SqlExpression ParseNot()
    {
        if (!IsWord("NOT"))
        {
            return ParsePredicate();
        }
        var position = Current.Position;
        Advance();
        Enter();
        try
        {
            return new SqlUnaryExpression(SqlUnaryOperator.Not, ParseNot(), position);
        }
        finally
        {
            Exit();
        }
    }

    private SqlExpression ParsePredicate()
    {
        var left = ParseAdditive();
        while (true)
        {
            var position = Current.Position;
            if (ComparisonOperator(Current.Kind) is { } comparison)
            {
                Advance();
                left = new SqlBinaryExpression(comparison, left, ParseAdditive(), position);
                continue;
            }
            if (IsWord("IS"))
            {
                Advance();
                var negated = TryKeyword("NOT");
                if (TryKeyword("DISTINCT"))
                {
                    ExpectKeyword("FROM");
                    var op = negated ? SqlBinaryOperator.IsNotDistinctFrom : SqlBinaryOperator.IsDistinctFrom;
                    left = new SqlBinaryExpression(op, left, ParseAdditive(), position);
                    continue;
                }
                SqlIsTest test = TryKeyword("NULL") ? SqlIsTest.Null
                    : TryKeyword("TRUE") ? SqlIsTest.True
                    : TryKeyword("FALSE") ? SqlIsTest.False
                    : TryKeyword("UNKNOWN") ? SqlIsTest.Unknown
                    : throw Unexpected("DISTINCT");
                left = new SqlIsExpression(left, test, negated, position);
                continue;
            }
            var not = IsWord("NOT") && (IsWord("BETWEEN", 1) || IsWord("IN", 1) || IsWord("LIKE", 1) || IsWord("SIMILAR", 1));
            if (not)
            {
                Advance();
            }
            if (Accept("BETWEEN"))
            {
                var symmetric = Accept("SYMMETRIC");
                if (!symmetric)
                {
                    Accept("ASYMMETRIC");
                }
                var low = ParseAdditive();
                ExpectKeyword("AND");
                var high = ParseAdditive();
                left = new SqlBetweenExpression(left, low, high, not, symmetric, position);
                continue;
            }
            if (Accept("IN"))
            {
                left = ParseIn(left, not, position);
                continue;
            }
            if (Accept("LIKE"))
            {
                left = ParseLike(left, not, similar: false, position);
                continue;
            }
            if (Accept("SIMILAR"))
            {
                ExpectKeyword("TO");
                left = ParseLike(left, not, similar: true, position);
                continue;
            }
            return left;
        }
    }

    private static SqlBinaryOperator? ComparisonOperator(SqlTokenKind kind) => kind switch
    {
        SqlTokenKind.Equal => SqlBinaryOperator.Equal,
        SqlTokenKind.NotEqual => SqlBinaryOperator.NotEqual,
        SqlTokenKind.Less => SqlBinaryOperator.Less,
        SqlTokenKind.LessOrEqual => SqlBinaryOperator.LessOrEqual,
        SqlTokenKind.Greater => SqlBinaryOperator.Greater,
        SqlTokenKind.GreaterOrEqual => SqlBinaryOperator.GreaterOrEqual,
        _ => null,
    };

    private SqlExpression ParseIn(SqlExpression operand, bool negated, SqlPosition position)
    {
        ExpectSymbol(SqlTokenKind.LeftParen);
        if (IsQueryKeyword())
        {
            var query = ParseQuery();
            ExpectSymbol(SqlTokenKind.RightParen);
            return new SqlInQueryExpression(operand, query, negated, position);
        }
        // "x IN ((SELECT …))" is a subquery too, and "x IN ((SELECT …) UNION …)" one that continues after the
        // parentheses; "x IN ((SELECT …), 2)" is a list.
        var first = ParseExpression();
        if (first is SqlSubqueryExpression subquery && (IsQueryContinuation() || Is(SqlTokenKind.RightParen)))
        {
            var query = IsQueryContinuation() ? ContinueQuery(subquery.Query, subquery.Position) : subquery.Query;
            ExpectSymbol(SqlTokenKind.RightParen);
            return new SqlInQueryExpression(operand, query, negated, position);
        }
        var values = new List<SqlExpression> { first };
        while (TrySymbol(SqlTokenKind.Comma))
        {
            values.Add(ParseExpression());
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlInListExpression(operand, new SqlList<SqlExpression>(values), negated, position);
    }

    private SqlExpression ParseLike(SqlExpression operand, bool negated, bool similar, SqlPosition position)
    {
        var pattern = ParseAdditive();
        var escape = Accept("ESCAPE") ? ParseAdditive() : null;
        return new SqlLikeExpression(operand, pattern, escape, negated, similar, position);
    }

    private SqlList<SqlExpression> ParseExpressionList()
    {
        var items = new List<SqlExpression>();
        do
        {
            items.Add(ParseExpression());
        }
        while (TrySymbol(SqlTokenKind.Comma));
        return new SqlList<SqlExpression>(items);
    }

    private SqlExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (true)
        {
            var op = Current.Kind switch
            {
                SqlTokenKind.Plus => SqlBinaryOperator.Add,
                SqlTokenKind.Minus => SqlBinaryOperator.Subtract,
                _ => (SqlBinaryOperator?)null,
            };
            if (op is null)
            {
                return left;
            }
            var position = Current.Position;
            Advance();
            left = new SqlBinaryExpression(op.Value, left, ParseMultiplicative(), position);
        }
    }

    private SqlExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            var op = Current.Kind switch
            {
                SqlTokenKind.Star => SqlBinaryOperator.Multiply,
                SqlTokenKind.Slash => SqlBinaryOperator.Divide,
                SqlTokenKind.Percent => SqlBinaryOperator.Modulo,
                SqlTokenKind.Concat => SqlBinaryOperator.Concat,
                _ => (SqlBinaryOperator?)null,
            };
            if (op is null)
            {
                return left;
            }
            var position = Current.Position;
            Advance();
            left = new SqlBinaryExpression(op.Value, left, ParseUnary(), position);
        }
    }

    private SqlExpression ParseUnary()
    {
        if (Current.Kind is not (SqlTokenKind.Minus or SqlTokenKind.Plus))
        {
            return ParsePostfix();
        }
        var position = Current.Position;
        var op = Current.Kind == SqlTokenKind.Minus ? SqlUnaryOperator.Negate : SqlUnaryOperator.Plus;
        Advance();
        Enter();
        try
        {
            return new SqlUnaryExpression(op, ParseUnary(), position);
        }
        finally
        {
            Exit();
        }
    }

    private SqlExpression ParsePostfix()
    {
        var expression = ParsePrimary();
        while (true)
        {
            var position = Current.Position;
            if (Is(SqlTokenKind.LeftBracket))
            {
                Advance();
                var index = ParseExpression();
                ExpectSymbol(SqlTokenKind.RightBracket);
                expression = new SqlItemExpression(expression, index, position);
            }
            else if (Is(SqlTokenKind.Dot) && Peek(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            {
                Advance();
                expression = new SqlFieldAccess(expression, ExpectNamePart(), position);
            }
            else
            {
                return expression;
            }
        }
    }

    private SqlExpression ParsePrimary()
    {
        var token = Current;
        var position = token.Position;
        switch (token.Kind)
        {
            case SqlTokenKind.Integer:
                Advance();
                return new SqlNumberLiteral(_text.Substring(token.Start, token.Length), SqlNumberKind.Integer, position);
            case SqlTokenKind.Decimal:
                Advance();
                return new SqlNumberLiteral(_text.Substring(token.Start, token.Length), SqlNumberKind.Decimal, position);
            case SqlTokenKind.Approximate:
                Advance();
                return new SqlNumberLiteral(_text.Substring(token.Start, token.Length), SqlNumberKind.Approximate, position);
            case SqlTokenKind.String:
                Advance();
                return new SqlStringLiteral(token.Value!, position);
            case SqlTokenKind.Binary:
                Advance();
                return new SqlBinaryLiteral(token.Value!.ToUpperInvariant(), position);
            case SqlTokenKind.LeftParen:
                return ParseParenthesized();
            case SqlTokenKind.QuotedIdentifier:
                return ParseNameOrCall();
            case SqlTokenKind.Word:
                return ParseWord();
            default:
                throw Unexpected("an expression");
        }
    }

    private SqlExpression ParseParenthesized()
    {
        var position = ExpectSymbol(SqlTokenKind.LeftParen);
        if (IsQueryKeyword())
        {
            var query = ParseQuery();
            ExpectSymbol(SqlTokenKind.RightParen);
            return new SqlSubqueryExpression(query, position);
        }
        var first = ParseExpression();
        if (first is SqlSubqueryExpression subquery && IsQueryContinuation())
        {
            var query = ContinueQuery(subquery.Query, subquery.Position);
            ExpectSymbol(SqlTokenKind.RightParen);
            return new SqlSubqueryExpression(query, position);
        }
        if (!TrySymbol(SqlTokenKind.Comma))
        {
            ExpectSymbol(SqlTokenKind.RightParen);
            return first;
        }
        var fields = new List<SqlExpression> { first };
        do
        {
            fields.Add(ParseExpression());
        }
        while (TrySymbol(SqlTokenKind.Comma));
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlRowConstructor(new SqlList<SqlExpression>(fields), position);
    }

    /// <summary>Whether SELECT, WITH or VALUES is the current token.</summary>
    private bool IsQueryKeyword() => IsWord("SELECT") || IsWord("WITH") || IsWord("VALUES");

    /// <summary>Whether a query read so far can go on: a set operator, ORDER BY, LIMIT, OFFSET or FETCH follows.</summary>
    private bool IsQueryContinuation() =>
        IsWord("UNION") || IsWord("INTERSECT") || IsWord("EXCEPT") || IsWord("MINUS")
        || IsWord("ORDER") || IsWord("LIMIT") || IsWord("OFFSET") || IsWord("FETCH");

    /// <summary>Whether a query starts at the current token (after any number of opening parentheses).</summary>
    private bool StartsQuery()
    {
        int ahead = 0;
        while (Is(SqlTokenKind.LeftParen, ahead))
        {
            ahead++;
        }
        return IsWord("SELECT", ahead) || IsWord("WITH", ahead) || IsWord("VALUES", ahead);
    }

    private SqlExpression ParseWord()
    {
        var position = Current.Position;
        var word = Word().ToUpperInvariant();
        var next = Peek(1).Kind;
        switch (word)
        {
            case "TRUE":
                Advance();
                return new SqlBooleanLiteral(true, position);
            case "FALSE":
                Advance();
                return new SqlBooleanLiteral(false, position);
            case "UNKNOWN":
                Advance();
                return new SqlBooleanLiteral(null, position);
            case "NULL":
                Advance();
                return new SqlNullLiteral(position);
            case "CASE":
                return ParseCase();
            case "CAST" or "TRY_CAST" when next == SqlTokenKind.LeftParen:
                return ParseCast(word == "TRY_CAST");
            case "EXTRACT" when next == SqlTokenKind.LeftParen:
                return ParseExtract();
            case "TRIM" when next == SqlTokenKind.LeftParen:
                return ParseTrim();
            case "EXISTS" when next == SqlTokenKind.LeftParen:
                {
                    Advance();
                    ExpectSymbol(SqlTokenKind.LeftParen);
                    var query = ParseQuery();
                    ExpectSymbol(SqlTokenKind.RightParen);
                    return new SqlExistsExpression(query, position);
                }
            case "INTERVAL" when next is SqlTokenKind.String or SqlTokenKind.Minus or SqlTokenKind.Plus:
                return ParseInterval();
            case "DATE" or "TIME" or "TIMESTAMP" or "TIMESTAMP_LTZ" when next == SqlTokenKind.String:
                return ParseDateTime(word);
            case "ARRAY" when next == SqlTokenKind.LeftBracket:
                {
                    Advance();
                    Advance();
                    var elements = Is(SqlTokenKind.RightBracket) ? SqlList<SqlExpression>.Empty : ParseExpressionList();
                    ExpectSymbol(SqlTokenKind.RightBracket);
                    return new SqlArrayConstructor(elements, position);
                }
            case "MAP" when next == SqlTokenKind.LeftBracket:
                {
                    Advance();
                    Advance();
                    var entries = Is(SqlTokenKind.RightBracket) ? SqlList<SqlExpression>.Empty : ParseExpressionList();
                    var close = ExpectSymbol(SqlTokenKind.RightBracket);
                    if (entries.Count % 2 != 0)
                    {
                        throw Error($"MAP[…] needs keys and values in pairs, but it has {entries.Count} elements.", close);
                    }
                    return new SqlMapConstructor(entries, position);
                }
            case "ROW" when next == SqlTokenKind.LeftParen:
                {
                    Advance();
                    Advance();
                    var fields = Is(SqlTokenKind.RightParen) ? SqlList<SqlExpression>.Empty : ParseExpressionList();
                    ExpectSymbol(SqlTokenKind.RightParen);
                    return new SqlRowConstructor(fields, position);
                }
            case "TABLE" when next is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier:
                {
                    Advance();
                    var table = ParseCompoundName("a table name");
                    var keys = SqlList<SqlExpression>.Empty;
                    if (TryKeyword("PARTITION"))
                    {
                        ExpectKeyword("BY");
                        if (TrySymbol(SqlTokenKind.LeftParen))
                        {
                            keys = ParseExpressionList();
                            ExpectSymbol(SqlTokenKind.RightParen);
                        }
                        else
                        {
                            keys = SqlList<SqlExpression>.Of(ParseAdditive());
                        }
                    }
                    return new SqlTableArgument(table, keys, position);
                }
            case "DESCRIPTOR" when next == SqlTokenKind.LeftParen:
                Advance();
                return new SqlDescriptor(ParseNameList(), position);
            case "MATCH_RECOGNIZE":
                throw Unsupported("MATCH_RECOGNIZE", position);
        }
        if (next == SqlTokenKind.LeftParen)
        {
            return ParseNameOrCall();
        }
        if (SqlKeywords.IsNiladicFunction(word))
        {
            Advance();
            return ParseCallSuffix(new SqlIdentifier(SqlList<string>.Of(word), position), SqlList<SqlExpression>.Empty, distinct: false, niladic: true, position);
        }
        if (SqlKeywords.IsReserved(word))
        {
            throw Unexpected("an expression");
        }
        return ParseNameOrCall();
    }

    private SqlExpression ParseNameOrCall()
    {
        var position = Current.Position;
        var names = new List<string> { Current.Kind == SqlTokenKind.QuotedIdentifier ? Current.Value! : Word() };
        Advance();
        while (Is(SqlTokenKind.Dot))
        {
            if (Peek(1).Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
            {
                Advance();
                names.Add(ExpectNamePart());
            }
            else if (Peek(1).Kind == SqlTokenKind.Star)
            {
                Advance();
                Advance();
                return new SqlStar(new SqlList<string>(names), position);
            }
            else
            {
                break;
            }
        }
        var name = new SqlIdentifier(new SqlList<string>(names), position);
        if (!Is(SqlTokenKind.LeftParen))
        {
            return name;
        }
        return ParseCall(name);
    }

    private SqlExpression ParseCall(SqlIdentifier name)
    {
        var position = name.Position;
        ExpectSymbol(SqlTokenKind.LeftParen);
        if (name.Names.Count == 1 && ParseSpecialArguments(name.Name) is { } special)
        {
            ExpectSymbol(SqlTokenKind.RightParen);
            return ParseCallSuffix(name, special, distinct: false, niladic: false, position);
        }
        var distinct = false;
        var arguments = new List<SqlExpression>();
        if (!Is(SqlTokenKind.RightParen))
        {
            if (Accept("DISTINCT"))
            {
                distinct = true;
            }
            else
            {
                Accept("ALL");
            }
            if (Is(SqlTokenKind.Star))
            {
                arguments.Add(new SqlStar(SqlList<string>.Empty, Current.Position));
                Advance();
            }
            else
            {
                do
                {
                    arguments.Add(ParseArgument());
                }
                while (TrySymbol(SqlTokenKind.Comma));
            }
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return ParseCallSuffix(name, new SqlList<SqlExpression>(arguments), distinct, niladic: false, position);
    }

    private SqlExpression ParseArgument()
    {
        if (IsName() && Is(SqlTokenKind.Arrow, 1))
        {
            var position = Current.Position;
            var name = ExpectName();
            Advance();
            return new SqlNamedArgument(name, ParseExpression(), position);
        }
        return ParseExpression();
    }

    /// <summary>SUBSTRING(s FROM a [FOR b]), POSITION(a IN b) and FLOOR/CEIL(ts TO unit) read as plain calls; null for other functions.</summary>
    private SqlList<SqlExpression>? ParseSpecialArguments(string name)
    {
        if (name.Equals("SUBSTRING", StringComparison.OrdinalIgnoreCase) || name.Equals("SUBSTR", StringComparison.OrdinalIgnoreCase))
        {
            var value = ParseExpression();
            if (!TryKeyword("FROM"))
            {
                var rest = new List<SqlExpression> { value };
                while (TrySymbol(SqlTokenKind.Comma))
                {
                    rest.Add(ParseExpression());
                }
                return new SqlList<SqlExpression>(rest);
            }
            var start = ParseExpression();
            return TryKeyword("FOR") ? SqlList<SqlExpression>.Of(value, start, ParseExpression()) : SqlList<SqlExpression>.Of(value, start);
        }
        if (name.Equals("FLOOR", StringComparison.OrdinalIgnoreCase) || name.Equals("CEIL", StringComparison.OrdinalIgnoreCase)
            || name.Equals("CEILING", StringComparison.OrdinalIgnoreCase))
        {
            // FLOOR(ts TO unit) reads as FLOOR(ts, unit) with the unit a bare name, as TIMESTAMPADD's.
            var value = ParseExpression();
            if (!TryKeyword("TO"))
            {
                var rest = new List<SqlExpression> { value };
                while (TrySymbol(SqlTokenKind.Comma))
                {
                    rest.Add(ParseExpression());
                }
                return new SqlList<SqlExpression>(rest);
            }
            var unitPosition = Current.Position;
            var unit = ExpectName("a time unit");
            return SqlList<SqlExpression>.Of(value, new SqlIdentifier(SqlList<string>.Of(unit.ToUpperInvariant()), unitPosition));
        }
        if (name.Equals("POSITION", StringComparison.OrdinalIgnoreCase))
        {
            var needle = ParseAdditive();
            if (!TryKeyword("IN"))
            {
                ExpectSymbol(SqlTokenKind.Comma);
            }
            return SqlList<SqlExpression>.Of(needle, ParseExpression());
        }
        return null;
    }

    private SqlFunctionCall ParseCallSuffix(SqlIdentifier name, SqlList<SqlExpression> arguments, bool distinct, bool niladic, SqlPosition position)
    {
        SqlExpression? filter = null;
        if (IsWord("FILTER") && Is(SqlTokenKind.LeftParen, 1))
        {
            Advance();
            Advance();
            ExpectKeyword("WHERE");
            filter = ParseExpression();
            ExpectSymbol(SqlTokenKind.RightParen);
        }
        SqlWindowSpecification? over = null;
        if (IsWord("OVER"))
        {
            var overPosition = Current.Position;
            Advance();
            if (Is(SqlTokenKind.LeftParen))
            {
                over = ParseWindowSpecification();
            }
            else
            {
                over = new SqlWindowSpecification(ExpectName("'(' or a window name"), true, SqlList<SqlExpression>.Empty, SqlList<SqlOrderItem>.Empty, null, overPosition);
            }
        }
        return new SqlFunctionCall(name, arguments, distinct, filter, over, niladic, position);
    }

    private SqlExpression ParseCase()
    {
        var position = ExpectKeyword("CASE");
        var operand = IsWord("WHEN") ? null : ParseExpression();
        var whens = new List<SqlWhenClause>();
        do
        {
            var whenPosition = ExpectKeyword("WHEN");
            var when = ParseExpression();
            ExpectKeyword("THEN");
            whens.Add(new SqlWhenClause(when, ParseExpression(), whenPosition));
        }
        while (IsWord("WHEN"));
        Note("WHEN");
        var otherwise = TryKeyword("ELSE") ? ParseExpression() : null;
        ExpectKeyword("END");
        return new SqlCaseExpression(operand, new SqlList<SqlWhenClause>(whens), otherwise, position);
    }

    private SqlExpression ParseCast(bool isTry)
    {
        var position = Current.Position;
        Advance();
        ExpectSymbol(SqlTokenKind.LeftParen);
        var operand = ParseExpression();
        ExpectKeyword("AS");
        var type = ParseType();
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlCastExpression(operand, type, isTry, position);
    }

    private SqlExpression ParseExtract()
    {
        var position = Current.Position;
        Advance();
        ExpectSymbol(SqlTokenKind.LeftParen);
        var unit = ParseTimeUnit(extract: true);
        ExpectKeyword("FROM");
        var operand = ParseExpression();
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlExtractExpression(unit, operand, position);
    }

    private SqlExpression ParseTrim()
    {
        var position = Current.Position;
        Advance();
        ExpectSymbol(SqlTokenKind.LeftParen);
        var mode = SqlTrimMode.Both;
        var explicitMode = true;
        if (TryKeyword("LEADING"))
        {
            mode = SqlTrimMode.Leading;
        }
        else if (TryKeyword("TRAILING"))
        {
            mode = SqlTrimMode.Trailing;
        }
        else if (!TryKeyword("BOTH"))
        {
            explicitMode = false;
        }
        SqlExpression? characters = null;
        SqlExpression operand;
        if (TryKeyword("FROM"))
        {
            operand = ParseExpression();
        }
        else
        {
            var first = ParseExpression();
            if (TryKeyword("FROM"))
            {
                characters = first;
                operand = ParseExpression();
            }
            else if (explicitMode)
            {
                throw Unexpected("FROM");
            }
            else
            {
                operand = first;
            }
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlTrimExpression(mode, characters, operand, position);
    }

    private SqlExpression ParseDateTime(string word)
    {
        var position = Current.Position;
        Advance();
        var textPosition = Current.Position;
        var text = ExpectString();
        var kind = word switch
        {
            "DATE" => SqlDateTimeKind.Date,
            "TIME" => SqlDateTimeKind.Time,
            "TIMESTAMP" => SqlDateTimeKind.Timestamp,
            _ => SqlDateTimeKind.TimestampLtz,
        };
        if (!SqlDateTimeText.IsValid(kind, text))
        {
            throw Error($"'{text}' is not a valid {word} literal: write {SqlDateTimeText.Format(kind)}.", textPosition);
        }
        return new SqlDateTimeLiteral(kind, text, position);
    }

    private SqlExpression ParseInterval()
    {
        var position = ExpectKeyword("INTERVAL");
        var negative = false;
        if (Is(SqlTokenKind.Minus))
        {
            negative = true;
            Advance();
        }
        else
        {
            TrySymbol(SqlTokenKind.Plus);
        }
        var textPosition = Current.Position;
        var text = ExpectString("the interval's value in quotes");
        var startUnit = ParseTimeUnit(extract: false);
        SqlTimeUnit? endUnit = null;
        if (TryKeyword("TO"))
        {
            endUnit = ParseTimeUnit(extract: false);
        }
        if (!SqlIntervalText.TryParse(text, startUnit, endUnit, out var months, out var time, out var problem))
        {
            throw Error(problem, textPosition);
        }
        if (negative)
        {
            months = -months;
            time = time.Negate();
        }
        return new SqlIntervalLiteral(text, negative, startUnit, endUnit, months, time, position);
    }

    private SqlTimeUnit ParseTimeUnit(bool extract)
    {
        var word = Current.Kind == SqlTokenKind.Word ? Word() : "";
        // Flink also accepts plural units in intervals: INTERVAL '5' MINUTES.
        if (!extract && word.Length > 1 && (word.EndsWith('S') || word.EndsWith('s')))
        {
            word = word[..^1];
        }
        if (word.Length > 0
            && Enum.TryParse<SqlTimeUnit>(word, ignoreCase: true, out var unit)
            && (extract || unit is SqlTimeUnit.Year or SqlTimeUnit.Month or SqlTimeUnit.Day or SqlTimeUnit.Hour or SqlTimeUnit.Minute or SqlTimeUnit.Second))
        {
            Advance();
            return unit;
        }
        throw Unexpected(extract ? "a time unit (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, DOW, DOY, EPOCH, …)" : "a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)");
    }
}
