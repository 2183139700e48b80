using System.Text;

namespace Sluice.Sql.Syntax;

internal static partial class SqlFormatter
{
    private static void AppendStatement(StringBuilder text, SqlStatement statement)
    {
        switch (statement)
        {
            case SqlQueryStatement query:
                AppendQuery(text, query.Query);
                break;
            case SqlCreateTable table:
                AppendCreateTable(text, table);
                break;
            case SqlCreateView view:
                text.Append(view.Temporary ? "CREATE TEMPORARY VIEW " : "CREATE VIEW ").Append(view.IfNotExists ? "IF NOT EXISTS " : "");
                AppendName(text, view.Name.Names);
                if (!view.Columns.IsEmpty)
                {
                    text.Append(' ');
                    AppendNameList(text, view.Columns);
                }
                if (view.Comment is { } viewComment)
                {
                    text.Append(" COMMENT ").Append(QuoteString(viewComment));
                }
                text.Append(" AS ");
                AppendQuery(text, view.Query);
                break;
            case SqlCreateMaterializedView view:
                text.Append("CREATE MATERIALIZED VIEW ").Append(view.IfNotExists ? "IF NOT EXISTS " : "");
                AppendName(text, view.Name.Names);
                if (!view.Options.IsEmpty)
                {
                    text.Append(" WITH (");
                    for (var i = 0; i < view.Options.Count; i++)
                    {
                        text.Append(i > 0 ? ", " : "").Append(QuoteString(view.Options[i].Key)).Append(" = ").Append(QuoteString(view.Options[i].Value));
                    }
                    text.Append(')');
                }
                text.Append(" AS ");
                AppendQuery(text, view.Query);
                break;
            case SqlCreateFunction function:
                text.Append("CREATE ").Append(function.Temporary ? "TEMPORARY " : "").Append(function.System ? "SYSTEM " : "")
                    .Append("FUNCTION ").Append(function.IfNotExists ? "IF NOT EXISTS " : "");
                AppendName(text, function.Name.Names);
                text.Append(" AS ").Append(QuoteString(function.ClassName));
                if (function.Language is { } language)
                {
                    text.Append(" LANGUAGE ").Append(language);
                }
                break;
            case SqlDrop drop:
                text.Append(drop.Temporary ? "DROP TEMPORARY " : "DROP ").Append(ObjectKeyword(drop.Kind)).Append(drop.IfExists ? " IF EXISTS " : " ");
                AppendName(text, drop.Name.Names);
                break;
            case SqlShow show:
                text.Append("SHOW ").Append(ObjectKeyword(show.Kind)).Append('S');
                break;
            case SqlDescribe describe:
                text.Append("DESCRIBE ");
                AppendName(text, describe.Name.Names);
                break;
            case SqlExplain explain:
                text.Append("EXPLAIN ");
                AppendStatement(text, explain.Statement);
                break;
            case SqlSet set:
                text.Append("SET");
                if (set.Key is { } key)
                {
                    text.Append(' ').Append(QuoteString(key)).Append(" = ").Append(QuoteString(set.Value ?? ""));
                }
                break;
            case SqlReset reset:
                text.Append("RESET");
                if (reset.Key is { } resetKey)
                {
                    text.Append(' ').Append(QuoteString(resetKey));
                }
                break;
            case SqlInsert insert:
                AppendInsert(text, insert);
                break;
            case SqlStatementSet set:
                text.Append("EXECUTE STATEMENT SET\nBEGIN\n");
                foreach (var insert in set.Inserts)
                {
                    AppendInsert(text, insert);
                    text.Append(";\n");
                }
                text.Append("END");
                break;
            default:
                text.Append(statement.GetType().Name);
                break;
        }
    }

    private static string ObjectKeyword(SqlObjectKind kind) => kind switch
    {
        SqlObjectKind.Table => "TABLE",
        SqlObjectKind.View => "VIEW",
        SqlObjectKind.MaterializedView => "MATERIALIZED VIEW",
        _ => "FUNCTION",
    };

    private static void AppendInsert(StringBuilder text, SqlInsert insert)
    {
        text.Append("INSERT INTO ");
        AppendName(text, insert.Table.Names);
        if (!insert.Columns.IsEmpty)
        {
            text.Append(' ');
            AppendNameList(text, insert.Columns);
        }
        text.Append(' ');
        AppendQuery(text, insert.Query);
    }

    /// <summary>The ON VIOLATION keyword of <paramref name="action"/>.</summary>
    internal static string ViolationKeyword(Sluice.Quality.RuleAction action) => action switch
    {
        Sluice.Quality.RuleAction.DeadLetter => "DLQ",
        Sluice.Quality.RuleAction.Drop => "DROP",
        Sluice.Quality.RuleAction.Warn => "WARN",
        _ => "FAIL",
    };

    private static void AppendCreateTable(StringBuilder text, SqlCreateTable table)
    {
        text.Append(table.Temporary ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ").Append(table.IfNotExists ? "IF NOT EXISTS " : "");
        AppendName(text, table.Name.Names);
        text.Append(" (");
        var first = true;
        foreach (var column in table.Columns)
        {
            text.Append(first ? "\n  " : ",\n  ");
            first = false;
            AppendColumn(text, column);
        }
        if (table.Watermark is { } watermark)
        {
            text.Append(first ? "\n  " : ",\n  ").Append("WATERMARK FOR ").Append(QuoteName(watermark.Column)).Append(" AS ");
            AppendExpression(text, watermark.Expression, 0);
            first = false;
        }
        if (table.PrimaryKey is { } key)
        {
            text.Append(first ? "\n  " : ",\n  ");
            if (key.ConstraintName is { } constraint)
            {
                text.Append("CONSTRAINT ").Append(QuoteName(constraint)).Append(' ');
            }
            text.Append("PRIMARY KEY ");
            AppendNameList(text, key.Columns);
            text.Append(" NOT ENFORCED");
            first = false;
        }
        foreach (var check in table.Checks)
        {
            text.Append(first ? "\n  " : ",\n  ").Append("CONSTRAINT ").Append(QuoteName(check.Name)).Append(" CHECK (");
            AppendExpression(text, check.Condition, 0);
            text.Append(") ON VIOLATION ").Append(ViolationKeyword(check.Action));
            first = false;
        }
        text.Append("\n)");
        if (table.Comment is { } comment)
        {
            text.Append(" COMMENT ").Append(QuoteString(comment));
        }
        if (!table.PartitionedBy.IsEmpty)
        {
            text.Append(" PARTITIONED BY ");
            AppendNameList(text, table.PartitionedBy);
        }
        if (!table.Options.IsEmpty)
        {
            text.Append(" WITH (");
            for (int i = 0; i < table.Options.Count; i++)
            {
                text.Append(i > 0 ? ",\n  " : "\n  ").Append(QuoteString(table.Options[i].Key)).Append(" = ").Append(QuoteString(table.Options[i].Value));
            }
            text.Append("\n)");
        }
    }

    private static void AppendColumn(StringBuilder text, SqlColumnDefinition column)
    {
        text.Append(QuoteName(column.Name));
        switch (column)
        {
            case SqlPhysicalColumn physical:
                text.Append(' ').Append(physical.Type);
                break;
            case SqlComputedColumn computed:
                text.Append(" AS ");
                AppendExpression(text, computed.Expression, 0);
                break;
            case SqlMetadataColumn metadata:
                text.Append(' ').Append(metadata.Type).Append(" METADATA");
                if (metadata.Key is { } key)
                {
                    text.Append(" FROM ").Append(QuoteString(key));
                }
                if (metadata.Virtual)
                {
                    text.Append(" VIRTUAL");
                }
                break;
        }
        if (column.Comment is { } comment)
        {
            text.Append(" COMMENT ").Append(QuoteString(comment));
        }
    }
}
