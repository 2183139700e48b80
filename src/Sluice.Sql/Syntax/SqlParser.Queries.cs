namespace Sluice.Sql.Syntax;

// Queries: WITH, set operations (INTERSECT binds tighter than UNION and EXCEPT), SELECT, VALUES, ORDER BY/LIMIT,
// the FROM clause with its joins, and OVER windows.
internal sealed partial class SqlParser
{
    private SqlQuery ParseQuery()
    {
        Enter();
        try
        {
            var position = Current.Position;
            SqlQuery query;
            if (TryKeyword("WITH"))
            {
                var tables = new List<SqlCommonTableExpression>();
                do
                {
                    var ctePosition = Current.Position;
                    var name = ExpectName("a name for the WITH query");
                    var columns = Is(SqlTokenKind.LeftParen) ? ParseNameList() : SqlList<string>.Empty;
                    ExpectKeyword("AS");
                    ExpectSymbol(SqlTokenKind.LeftParen);
                    var cte = ParseQuery();
                    ExpectSymbol(SqlTokenKind.RightParen);
                    tables.Add(new SqlCommonTableExpression(name, columns, cte, ctePosition));
                }
                while (TrySymbol(SqlTokenKind.Comma));
                query = new SqlWith(new SqlList<SqlCommonTableExpression>(tables), ParseSetExpression(), position);
            }
            else
            {
                query = ParseSetExpression();
            }
            return ParseOrderAndLimit(query, position);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Reads the rest of a query whose first operand (a parenthesized query) has been read already.</summary>
    private SqlQuery ContinueQuery(SqlQuery first, SqlPosition position) => ParseOrderAndLimit(ParseSetExpression(first), position);

    private SqlQuery ParseOrderAndLimit(SqlQuery query, SqlPosition position)
    {
        var orderBy = SqlList<SqlOrderItem>.Empty;
        if (TryKeyword("ORDER"))
        {
            ExpectKeyword("BY");
            orderBy = ParseOrderItems();
        }
        SqlExpression? limit = null;
        SqlExpression? offset = null;
        if (TryKeyword("LIMIT"))
        {
            limit = ParseExpression();
        }
        if (TryKeyword("OFFSET"))
        {
            offset = ParseExpression();
            if (!TryKeyword("ROWS"))
            {
                TryKeyword("ROW");
            }
        }
        if (limit is null && TryKeyword("FETCH"))
        {
            if (!TryKeyword("FIRST"))
            {
                ExpectKeyword("NEXT");
            }
            limit = ParseExpression();
            if (!TryKeyword("ROWS"))
            {
                ExpectKeyword("ROW");
            }
            ExpectKeyword("ONLY");
        }
        return orderBy.IsEmpty && limit is null && offset is null ? query : new SqlOrderedQuery(query, orderBy, offset, limit, position);
    }

    private SqlList<SqlOrderItem> ParseOrderItems()
    {
        var items = new List<SqlOrderItem>();
        do
        {
            var position = Current.Position;
            var expression = ParseExpression();
            var descending = false;
            if (Accept("DESC"))
            {
                descending = true;
            }
            else
            {
                Accept("ASC");
            }
            bool? nullsFirst = null;
            if (TryKeyword("NULLS"))
            {
                if (TryKeyword("FIRST"))
                {
                    nullsFirst = true;
                }
                else
                {
                    ExpectKeyword("LAST");
                    nullsFirst = false;
                }
            }
            items.Add(new SqlOrderItem(expression, descending, nullsFirst, position));
        }
        while (TrySymbol(SqlTokenKind.Comma));
        return new SqlList<SqlOrderItem>(items);
    }

    private SqlQuery ParseSetExpression(SqlQuery? first = null)
    {
        var left = ParseIntersect(first);
        while (true)
        {
            var position = Current.Position;
            SqlSetOperator op;
            if (TryKeyword("UNION"))
            {
                op = SqlSetOperator.Union;
            }
            else if (TryKeyword("EXCEPT") || Accept("MINUS"))
            {
                op = SqlSetOperator.Except;
            }
            else
            {
                return left;
            }
            var all = ParseSetQuantifier();
            left = new SqlSetOperation(op, all, left, ParseIntersect(), position);
        }
    }

    private SqlQuery ParseIntersect(SqlQuery? first = null)
    {
        var left = first ?? ParseQueryPrimary();
        while (IsWord("INTERSECT"))
        {
            var position = Current.Position;
            Advance();
            var all = ParseSetQuantifier();
            left = new SqlSetOperation(SqlSetOperator.Intersect, all, left, ParseQueryPrimary(), position);
        }
        Note("INTERSECT");
        return left;
    }

    private bool ParseSetQuantifier()
    {
        if (Accept("ALL"))
        {
            return true;
        }
        Accept("DISTINCT");
        return false;
    }

    private SqlQuery ParseQueryPrimary()
    {
        if (Is(SqlTokenKind.LeftParen))
        {
            Advance();
            var query = ParseQuery();
            ExpectSymbol(SqlTokenKind.RightParen);
            return query;
        }
        if (IsWord("VALUES"))
        {
            return ParseValues();
        }
        Note("VALUES");
        Note("'('");
        return ParseSelect();
    }

    private SqlQuery ParseValues()
    {
        var position = ExpectKeyword("VALUES");
        var rows = new List<SqlList<SqlExpression>>();
        do
        {
            var row = ParseExpression();
            rows.Add(row is SqlRowConstructor constructor ? constructor.Fields : SqlList<SqlExpression>.Of(row));
        }
        while (TrySymbol(SqlTokenKind.Comma));
        return new SqlValues(new SqlList<SqlList<SqlExpression>>(rows), position);
    }

    private SqlSelect ParseSelect()
    {
        var position = ExpectKeyword("SELECT");
        var distinct = Accept("DISTINCT");
        if (!distinct)
        {
            Accept("ALL");
        }
        var items = new List<SqlSelectItem>();
        do
        {
            var itemPosition = Current.Position;
            SqlExpression expression;
            if (Is(SqlTokenKind.Star))
            {
                Advance();
                expression = new SqlStar(SqlList<string>.Empty, itemPosition);
            }
            else
            {
                expression = ParseExpression();
            }
            string? alias = null;
            if (expression is not SqlStar)
            {
                if (TryKeyword("AS"))
                {
                    alias = ExpectName("an alias");
                }
                else if (TryName(out var name))
                {
                    alias = name;
                }
            }
            items.Add(new SqlSelectItem(expression, alias, itemPosition));
        }
        while (TrySymbol(SqlTokenKind.Comma));

        SqlTableReference? from = null;
        if (TryKeyword("FROM"))
        {
            from = ParseTableReference();
            var commaPosition = Current.Position;
            while (TrySymbol(SqlTokenKind.Comma))
            {
                from = ParseJoins(new SqlJoin(SqlJoinType.Comma, from, ParseTablePrimary(), null, SqlList<string>.Empty, commaPosition));
                commaPosition = Current.Position;
            }
        }
        var where = TryKeyword("WHERE") ? ParseExpression() : null;
        var groupBy = SqlList<SqlExpression>.Empty;
        if (TryKeyword("GROUP"))
        {
            ExpectKeyword("BY");
            if (IsWord("GROUPING") && IsWord("SETS", 1))
            {
                throw Unsupported("GROUPING SETS", Current.Position);
            }
            groupBy = ParseExpressionList();
        }
        var having = TryKeyword("HAVING") ? ParseExpression() : null;
        var windows = SqlList<SqlNamedWindow>.Empty;
        if (TryKeyword("WINDOW"))
        {
            var list = new List<SqlNamedWindow>();
            do
            {
                var windowPosition = Current.Position;
                var name = ExpectName("a window name");
                ExpectKeyword("AS");
                list.Add(new SqlNamedWindow(name, ParseWindowSpecification(), windowPosition));
            }
            while (TrySymbol(SqlTokenKind.Comma));
            windows = new SqlList<SqlNamedWindow>(list);
        }
        return new SqlSelect(distinct, new SqlList<SqlSelectItem>(items), from, where, groupBy, having, windows, position);
    }

    private SqlTableReference ParseTableReference() => ParseJoins(ParseTablePrimary());

    private SqlTableReference ParseJoins(SqlTableReference left)
    {
        while (true)
        {
            var position = Current.Position;
            SqlJoinType type;
            if (TryKeyword("JOIN"))
            {
                type = SqlJoinType.Inner;
            }
            else if (TryKeyword("INNER"))
            {
                ExpectKeyword("JOIN");
                type = SqlJoinType.Inner;
            }
            else if (TryKeyword("LEFT"))
            {
                TryKeyword("OUTER");
                ExpectKeyword("JOIN");
                type = SqlJoinType.Left;
            }
            else if (TryKeyword("RIGHT"))
            {
                TryKeyword("OUTER");
                ExpectKeyword("JOIN");
                type = SqlJoinType.Right;
            }
            else if (TryKeyword("FULL"))
            {
                TryKeyword("OUTER");
                ExpectKeyword("JOIN");
                type = SqlJoinType.Full;
            }
            else if (TryKeyword("CROSS"))
            {
                ExpectKeyword("JOIN");
                type = SqlJoinType.Cross;
            }
            else if (IsWord("NATURAL"))
            {
                throw Unsupported("NATURAL JOIN", position);
            }
            else
            {
                return left;
            }
            var right = ParseTablePrimary();
            SqlExpression? condition = null;
            var usingColumns = SqlList<string>.Empty;
            if (type != SqlJoinType.Cross)
            {
                if (TryKeyword("ON"))
                {
                    condition = ParseExpression();
                }
                else if (TryKeyword("USING"))
                {
                    usingColumns = ParseNameList();
                }
                else
                {
                    throw Unexpected("USING");
                }
            }
            left = new SqlJoin(type, left, right, condition, usingColumns, position);
        }
    }

    private SqlTableReference ParseTablePrimary()
    {
        Enter();
        try
        {
            var position = Current.Position;
            if (TryKeyword("LATERAL"))
            {
                if (IsWord("TABLE"))
                {
                    return ParseTableFunction(lateral: true, position);
                }
                Note("TABLE");
                var open = ExpectSymbol(SqlTokenKind.LeftParen);
                var lateralQuery = ParseQuery();
                ExpectSymbol(SqlTokenKind.RightParen);
                return new SqlDerivedTable(lateralQuery, true, ParseTableAlias(), open);
            }
            if (IsWord("TABLE"))
            {
                return ParseTableFunction(lateral: false, position);
            }
            if (IsWord("UNNEST"))
            {
                Advance();
                ExpectSymbol(SqlTokenKind.LeftParen);
                var arguments = ParseExpressionList();
                ExpectSymbol(SqlTokenKind.RightParen);
                var ordinality = false;
                if (TryKeyword("WITH"))
                {
                    ExpectKeyword("ORDINALITY");
                    ordinality = true;
                }
                return new SqlUnnest(arguments, ordinality, ParseTableAlias(), position);
            }
            if (Is(SqlTokenKind.LeftParen))
            {
                if (StartsQuery())
                {
                    Advance();
                    var query = ParseQuery();
                    ExpectSymbol(SqlTokenKind.RightParen);
                    return new SqlDerivedTable(query, false, ParseTableAlias(), position);
                }
                Advance();
                var nested = ParseTableReference();
                ExpectSymbol(SqlTokenKind.RightParen);
                return nested;
            }
            Note("'('");
            Note("LATERAL");
            Note("TABLE");
            Note("UNNEST");
            var name = ParseCompoundName("a table name");
            SqlExpression? systemTime = null;
            if (TryKeyword("FOR"))
            {
                ExpectKeyword("SYSTEM_TIME");
                ExpectKeyword("AS");
                ExpectKeyword("OF");
                systemTime = ParseExpression();
            }
            if (IsWord("MATCH_RECOGNIZE"))
            {
                throw Unsupported("MATCH_RECOGNIZE", Current.Position);
            }
            return new SqlNamedTable(name, systemTime, ParseTableAlias(), position);
        }
        finally
        {
            Exit();
        }
    }

    private SqlTableFunction ParseTableFunction(bool lateral, SqlPosition position)
    {
        ExpectKeyword("TABLE");
        ExpectSymbol(SqlTokenKind.LeftParen);
        var callPosition = Current.Position;
        var call = ParseExpression();
        if (call is not SqlFunctionCall function || function.Niladic)
        {
            throw Error("TABLE(…) takes a call of a table function, such as TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)).", callPosition);
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlTableFunction(function, lateral, ParseTableAlias(), position);
    }

    private SqlTableAlias? ParseTableAlias()
    {
        var position = Current.Position;
        string name;
        if (TryKeyword("AS"))
        {
            name = ExpectName("an alias");
        }
        else if (!TryName(out name))
        {
            return null;
        }
        var columns = Is(SqlTokenKind.LeftParen) ? ParseNameList() : SqlList<string>.Empty;
        return new SqlTableAlias(name, columns, position);
    }

    private SqlWindowSpecification ParseWindowSpecification()
    {
        var position = ExpectSymbol(SqlTokenKind.LeftParen);
        string? baseWindow = null;
        if (IsName() && !IsWord("PARTITION") && !IsWord("ORDER") && !IsWord("ROWS") && !IsWord("RANGE"))
        {
            baseWindow = ExpectName();
        }
        var partitionBy = SqlList<SqlExpression>.Empty;
        if (TryKeyword("PARTITION"))
        {
            ExpectKeyword("BY");
            partitionBy = ParseExpressionList();
        }
        var orderBy = SqlList<SqlOrderItem>.Empty;
        if (TryKeyword("ORDER"))
        {
            ExpectKeyword("BY");
            orderBy = ParseOrderItems();
        }
        SqlWindowFrame? frame = null;
        var framePosition = Current.Position;
        SqlFrameUnit? unit = TryKeyword("ROWS") ? SqlFrameUnit.Rows : TryKeyword("RANGE") ? SqlFrameUnit.Range : null;
        if (unit is { } u)
        {
            if (TryKeyword("BETWEEN"))
            {
                var start = ParseFrameBound();
                ExpectKeyword("AND");
                frame = new SqlWindowFrame(u, start, ParseFrameBound(), framePosition);
            }
            else
            {
                frame = new SqlWindowFrame(u, ParseFrameBound(), null, framePosition);
            }
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlWindowSpecification(baseWindow, false, partitionBy, orderBy, frame, position);
    }

    private SqlFrameBound ParseFrameBound()
    {
        var position = Current.Position;
        if (TryKeyword("UNBOUNDED"))
        {
            if (TryKeyword("PRECEDING"))
            {
                return new SqlFrameBound(SqlFrameBoundKind.UnboundedPreceding, null, position);
            }
            ExpectKeyword("FOLLOWING");
            return new SqlFrameBound(SqlFrameBoundKind.UnboundedFollowing, null, position);
        }
        if (TryKeyword("CURRENT"))
        {
            ExpectKeyword("ROW");
            return new SqlFrameBound(SqlFrameBoundKind.CurrentRow, null, position);
        }
        var offset = ParseAdditive();
        if (TryKeyword("PRECEDING"))
        {
            return new SqlFrameBound(SqlFrameBoundKind.Preceding, offset, position);
        }
        ExpectKeyword("FOLLOWING");
        return new SqlFrameBound(SqlFrameBoundKind.Following, offset, position);
    }
}
