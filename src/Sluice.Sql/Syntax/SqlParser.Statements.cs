namespace Sluice.Sql.Syntax;

// Statements: DDL (CREATE/DROP TABLE, VIEW, FUNCTION), SHOW, DESCRIBE, EXPLAIN, SET, RESET, INSERT, statement sets.
internal sealed partial class SqlParser
{
    private SqlStatement ParseStatement()
    {
        var position = Current.Position;
        if (StartsQuery())
        {
            return new SqlQueryStatement(ParseQuery(), position);
        }
        if (IsWord("CREATE"))
        {
            return ParseCreate();
        }
        if (IsWord("DROP"))
        {
            return ParseDrop();
        }
        if (Accept("SHOW"))
        {
            if (TryKeyword("MATERIALIZED"))
            {
                ExpectKeyword("VIEWS");
                return new SqlShow(SqlObjectKind.MaterializedView, position);
            }
            var kind = TryKeyword("TABLES") ? SqlObjectKind.Table
                : TryKeyword("VIEWS") ? SqlObjectKind.View
                : TryKeyword("FUNCTIONS") ? SqlObjectKind.Function
                : throw Unexpected("TABLES, VIEWS, MATERIALIZED VIEWS or FUNCTIONS");
            return new SqlShow(kind, position);
        }
        if (Accept("DESCRIBE") || Accept("DESC"))
        {
            return new SqlDescribe(ParseCompoundName("a table or view name"), position);
        }
        if (Accept("EXPLAIN"))
        {
            if (TryKeyword("PLAN"))
            {
                ExpectKeyword("FOR");
            }
            var explained = Current.Position;
            var statement = ParseStatement();
            if (statement is not (SqlQueryStatement or SqlInsert or SqlStatementSet))
            {
                throw Error("EXPLAIN explains a query, an INSERT or a statement set.", explained);
            }
            return new SqlExplain(statement, position);
        }
        if (Accept("SET"))
        {
            if (Current.Kind != SqlTokenKind.String)
            {
                Note("a quoted key ('table.exec.state.ttl')");
                return new SqlSet(null, null, position);
            }
            var key = ExpectString();
            ExpectSymbol(SqlTokenKind.Equal);
            return new SqlSet(key, ExpectString("a quoted value"), position);
        }
        if (Accept("RESET"))
        {
            if (Current.Kind == SqlTokenKind.String)
            {
                return new SqlReset(ExpectString(), position);
            }
            Note("a quoted key");
            return new SqlReset(null, position);
        }
        if (IsWord("INSERT"))
        {
            return ParseInsert();
        }
        if (Accept("EXECUTE"))
        {
            ExpectKeyword("STATEMENT");
            ExpectKeyword("SET");
            ExpectKeyword("BEGIN");
            return ParseStatementSetBody(position);
        }
        if (Accept("BEGIN"))
        {
            ExpectKeyword("STATEMENT");
            ExpectKeyword("SET");
            ExpectSymbol(SqlTokenKind.Semicolon);
            return ParseStatementSetBody(position);
        }
        if (IsWord("USE") || IsWord("ALTER") || IsWord("ANALYZE") || IsWord("LOAD") || IsWord("UNLOAD") || IsWord("UPDATE") || IsWord("DELETE"))
        {
            throw Unsupported($"The {Word().ToUpperInvariant()} statement", position);
        }
        throw Unexpected("a statement (SELECT, INSERT, CREATE, DROP, SHOW, DESCRIBE, EXPLAIN, SET, RESET, EXECUTE, BEGIN)");
    }

    private SqlStatementSet ParseStatementSetBody(SqlPosition position)
    {
        var inserts = new List<SqlInsert>();
        while (!IsWord("END"))
        {
            if (TrySymbol(SqlTokenKind.Semicolon))
            {
                continue;
            }
            if (!IsWord("INSERT"))
            {
                throw Unexpected("INSERT or END (a statement set holds only INSERT statements)");
            }
            inserts.Add(ParseInsert());
            if (!IsWord("END"))
            {
                ExpectSymbol(SqlTokenKind.Semicolon);
            }
        }
        Advance();
        if (inserts.Count == 0)
        {
            throw Error("A statement set needs at least one INSERT statement.", position);
        }
        return new SqlStatementSet(new SqlList<SqlInsert>(inserts), position);
    }

    private SqlInsert ParseInsert()
    {
        var position = ExpectKeyword("INSERT");
        if (IsWord("OVERWRITE"))
        {
            throw Unsupported("INSERT OVERWRITE", Current.Position);
        }
        ExpectKeyword("INTO");
        var table = ParseCompoundName("a table name");
        if (IsWord("PARTITION"))
        {
            throw Unsupported("INSERT … PARTITION (static partitions)", Current.Position);
        }
        var columns = Is(SqlTokenKind.LeftParen) && !StartsQuery() ? ParseNameList() : SqlList<string>.Empty;
        if (!StartsQuery())
        {
            throw Unexpected("a query (SELECT, VALUES or WITH)");
        }
        return new SqlInsert(table, columns, ParseQuery(), position);
    }

    private SqlStatement ParseCreate()
    {
        var position = ExpectKeyword("CREATE");
        if (IsWord("OR") && IsWord("REPLACE", 1))
        {
            throw Unsupported("CREATE OR REPLACE", position);
        }
        var temporary = TryKeyword("TEMPORARY");
        var system = temporary && TryKeyword("SYSTEM");
        if (!temporary && TryKeyword("MATERIALIZED"))
        {
            ExpectKeyword("VIEW");
            return ParseCreateMaterializedView(position);
        }
        if (!system && TryKeyword("TABLE"))
        {
            return ParseCreateTable(position, temporary);
        }
        if (!system && TryKeyword("VIEW"))
        {
            var ifNotExists = ParseIfNotExists();
            var name = ParseCompoundName("a view name");
            var columns = Is(SqlTokenKind.LeftParen) ? ParseNameList() : SqlList<string>.Empty;
            var comment = TryKeyword("COMMENT") ? ExpectString("a quoted comment") : null;
            ExpectKeyword("AS");
            return new SqlCreateView(name, temporary, ifNotExists, columns, comment, ParseQuery(), position);
        }
        if (TryKeyword("FUNCTION"))
        {
            var ifNotExists = ParseIfNotExists();
            var name = ParseCompoundName("a function name");
            ExpectKeyword("AS");
            var className = ExpectString("the function's type name in quotes ('Namespace.Type')");
            string? language = null;
            if (TryKeyword("LANGUAGE"))
            {
                if (Current.Kind != SqlTokenKind.Word)
                {
                    throw Unexpected("a language name");
                }
                language = Word().ToUpperInvariant();
                Advance();
            }
            if (IsWord("USING"))
            {
                throw Unsupported("CREATE FUNCTION … USING JAR", Current.Position);
            }
            return new SqlCreateFunction(name, temporary, system, ifNotExists, className, language, position);
        }
        if (IsWord("CATALOG") || IsWord("DATABASE"))
        {
            throw Unsupported($"CREATE {Word().ToUpperInvariant()}", Current.Position);
        }
        throw Unexpected("FUNCTION");
    }

    private SqlDrop ParseDrop()
    {
        var position = ExpectKeyword("DROP");
        var temporary = TryKeyword("TEMPORARY");
        if (temporary)
        {
            TryKeyword("SYSTEM");
        }
        var materialized = !temporary && TryKeyword("MATERIALIZED");
        if (materialized)
        {
            ExpectKeyword("VIEW");
        }
        var kind = materialized ? SqlObjectKind.MaterializedView
            : TryKeyword("TABLE") ? SqlObjectKind.Table
            : TryKeyword("VIEW") ? SqlObjectKind.View
            : TryKeyword("FUNCTION") ? SqlObjectKind.Function
            : throw Unexpected("FUNCTION");
        var ifExists = false;
        if (TryKeyword("IF"))
        {
            ExpectKeyword("EXISTS");
            ifExists = true;
        }
        return new SqlDrop(kind, ParseCompoundName("a name"), temporary, ifExists, position);
    }

    private bool ParseIfNotExists()
    {
        if (!TryKeyword("IF"))
        {
            return false;
        }
        ExpectKeyword("NOT");
        ExpectKeyword("EXISTS");
        return true;
    }

    private SqlCreateTable ParseCreateTable(SqlPosition position, bool temporary)
    {
        var ifNotExists = ParseIfNotExists();
        var name = ParseCompoundName("a table name");
        var columns = new List<SqlColumnDefinition>();
        SqlWatermarkDefinition? watermark = null;
        SqlPrimaryKey? primaryKey = null;
        var checks = new List<SqlCheckConstraint>();
        if (IsWord("AS") || IsWord("LIKE"))
        {
            throw Unsupported($"CREATE TABLE … {Word().ToUpperInvariant()}", Current.Position);
        }
        ExpectSymbol(SqlTokenKind.LeftParen);
        do
        {
            var elementPosition = Current.Position;
            if (IsWord("WATERMARK") && IsWord("FOR", 1))
            {
                if (watermark is not null)
                {
                    throw Error("A table has at most one WATERMARK.", elementPosition);
                }
                Advance();
                Advance();
                var column = ExpectName("the time attribute column");
                ExpectKeyword("AS");
                watermark = new SqlWatermarkDefinition(column, ParseExpression(), elementPosition);
            }
            else if (IsWord("CONSTRAINT") && IsWord("CHECK", 2))
            {
                var check = ParseCheckConstraint();
                if (checks.Exists(c => c.Name == check.Name))
                {
                    throw Error($"Table constraint '{check.Name}' is declared twice; give each CHECK constraint its own name.", elementPosition);
                }
                checks.Add(check);
            }
            else if (IsWord("CHECK"))
            {
                throw Error("A CHECK constraint needs a name (it names the rule's metrics and dead letters): write CONSTRAINT name CHECK (…).", elementPosition);
            }
            else if (IsWord("PRIMARY") || IsWord("CONSTRAINT"))
            {
                var key = ParsePrimaryKey(columnName: null);
                primaryKey = primaryKey is null ? key : throw Error("A table has at most one PRIMARY KEY.", elementPosition);
            }
            else
            {
                var column = ParseColumn(out var columnKey);
                columns.Add(column);
                if (columnKey is not null)
                {
                    primaryKey = primaryKey is null ? columnKey : throw Error("A table has at most one PRIMARY KEY.", columnKey.Position);
                }
            }
        }
        while (TrySymbol(SqlTokenKind.Comma));
        ExpectSymbol(SqlTokenKind.RightParen);
        var comment = TryKeyword("COMMENT") ? ExpectString("a quoted comment") : null;
        var partitionedBy = SqlList<string>.Empty;
        if (TryKeyword("PARTITIONED"))
        {
            ExpectKeyword("BY");
            partitionedBy = ParseNameList();
        }
        var options = TryKeyword("WITH") ? ParseOptions("a quoted option key ('connector')") : SqlList<SqlTableOption>.Empty;
        if (IsWord("LIKE") || IsWord("AS"))
        {
            throw Unsupported($"CREATE TABLE … {Word().ToUpperInvariant()}", Current.Position);
        }
        return new SqlCreateTable(name, temporary, ifNotExists, new SqlList<SqlColumnDefinition>(columns), watermark, primaryKey, comment, partitionedBy, options, position)
        {
            Checks = new SqlList<SqlCheckConstraint>(checks),
        };
    }

    /// <summary>The <c>('key' = 'value', …)</c> after WITH.</summary>
    private SqlList<SqlTableOption> ParseOptions(string keyExpected)
    {
        ExpectSymbol(SqlTokenKind.LeftParen);
        var list = new List<SqlTableOption>();
        if (!Is(SqlTokenKind.RightParen))
        {
            do
            {
                var optionPosition = Current.Position;
                var key = ExpectString(keyExpected);
                ExpectSymbol(SqlTokenKind.Equal);
                list.Add(new SqlTableOption(key, ExpectString("a quoted option value"), optionPosition));
            }
            while (TrySymbol(SqlTokenKind.Comma));
        }
        ExpectSymbol(SqlTokenKind.RightParen);
        return new SqlList<SqlTableOption>(list);
    }

    /// <summary><c>CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [WITH (…)] AS query</c>, after <c>CREATE MATERIALIZED VIEW</c>.</summary>
    private SqlCreateMaterializedView ParseCreateMaterializedView(SqlPosition position)
    {
        var ifNotExists = ParseIfNotExists();
        var name = ParseCompoundName("a materialized view name");
        var options = TryKeyword("WITH") ? ParseOptions("a quoted option key ('checkpoint.interval')") : SqlList<SqlTableOption>.Empty;
        ExpectKeyword("AS");
        if (!StartsQuery())
        {
            throw Unexpected("a query (SELECT, VALUES or WITH)");
        }
        return new SqlCreateMaterializedView(name, ifNotExists, options, ParseQuery(), position);
    }

    /// <summary><c>CONSTRAINT name CHECK (condition) [ON VIOLATION {DLQ | DROP | WARN | FAIL}]</c>.</summary>
    private SqlCheckConstraint ParseCheckConstraint()
    {
        var position = Current.Position;
        ExpectKeyword("CONSTRAINT");
        var name = ExpectName("a constraint name");
        ExpectKeyword("CHECK");
        ExpectSymbol(SqlTokenKind.LeftParen);
        var condition = ParseExpression();
        ExpectSymbol(SqlTokenKind.RightParen);
        var action = Sluice.Quality.RuleAction.DeadLetter;
        if (TryKeyword("ON"))
        {
            ExpectKeyword("VIOLATION");
            action = IsWord("DLQ") ? Sluice.Quality.RuleAction.DeadLetter
                : IsWord("DROP") ? Sluice.Quality.RuleAction.Drop
                : IsWord("WARN") ? Sluice.Quality.RuleAction.Warn
                : IsWord("FAIL") ? Sluice.Quality.RuleAction.Fail
                : throw Unexpected("DLQ, DROP, WARN or FAIL after ON VIOLATION");
            Advance();
        }
        return new SqlCheckConstraint(name, condition, action, position);
    }

    private SqlColumnDefinition ParseColumn(out SqlPrimaryKey? primaryKey)
    {
        var position = Current.Position;
        var name = ExpectName("a column name, WATERMARK or PRIMARY KEY");
        primaryKey = null;
        if (TryKeyword("AS"))
        {
            var expression = ParseExpression();
            var computedComment = TryKeyword("COMMENT") ? ExpectString("a quoted comment") : null;
            return new SqlComputedColumn(name, expression, computedComment, position);
        }
        var type = ParseType();
        if (TryKeyword("METADATA"))
        {
            var key = TryKeyword("FROM") ? ExpectString("a quoted metadata key") : null;
            var isVirtual = TryKeyword("VIRTUAL");
            var metadataComment = TryKeyword("COMMENT") ? ExpectString("a quoted comment") : null;
            return new SqlMetadataColumn(name, type, key, isVirtual, metadataComment, position);
        }
        if (IsWord("PRIMARY") || IsWord("CONSTRAINT"))
        {
            primaryKey = ParsePrimaryKey(name);
        }
        var comment = TryKeyword("COMMENT") ? ExpectString("a quoted comment") : null;
        return new SqlPhysicalColumn(name, type, comment, position);
    }

    private SqlPrimaryKey ParsePrimaryKey(string? columnName)
    {
        var position = Current.Position;
        string? constraint = null;
        if (TryKeyword("CONSTRAINT"))
        {
            constraint = ExpectName("a constraint name");
        }
        ExpectKeyword("PRIMARY");
        ExpectKeyword("KEY");
        var columns = columnName is null ? ParseNameList() : SqlList<string>.Of(columnName);
        if (!IsWord("NOT"))
        {
            throw Unexpected("NOT ENFORCED (Flink does not enforce primary keys; write PRIMARY KEY … NOT ENFORCED)");
        }
        Advance();
        ExpectKeyword("ENFORCED");
        return new SqlPrimaryKey(constraint, columns, position);
    }
}
