using Sluice.Sql.Expressions;
using Sluice.Sql.Syntax;

namespace Sluice.Sql.Planning;

internal sealed partial class QueryBinder
{
    /// <summary><c>TABLE(TUMBLE|HOP|CUMULATE|SESSION(TABLE t, DESCRIPTOR(ts), …))</c>.</summary>
    private WindowTableFunctionNode BindTableFunction(SqlTableFunction function, CteScope? ctes)
    {
        var call = function.Call;
        var name = call.Name.Name.ToUpperInvariant();
        if (function.Lateral || name is not ("TUMBLE" or "HOP" or "CUMULATE" or "SESSION"))
        {
            throw ExpressionBinder.Unsupported($"The table function {name}", function.Position);
        }

        var arguments = new List<SqlExpression>(call.Arguments.Count);
        foreach (var argument in call.Arguments)
        {
            arguments.Add(argument is SqlNamedArgument named ? named.Value : argument);
        }

        var expected = name switch { "TUMBLE" => "(TABLE t, DESCRIPTOR(ts), size [, offset])", "HOP" => "(TABLE t, DESCRIPTOR(ts), slide, size [, offset])", "CUMULATE" => "(TABLE t, DESCRIPTOR(ts), step, size [, offset])", _ => "(TABLE t [PARTITION BY k], DESCRIPTOR(ts), gap)" };
        var intervals = name switch { "TUMBLE" => 1, "SESSION" => 1, _ => 2 };
        if (arguments.Count < 2 + intervals || arguments.Count > 3 + intervals - (name == "SESSION" ? 1 : 0)
            || arguments[0] is not SqlTableArgument table || arguments[1] is not SqlDescriptor { Columns.Count: 1 } descriptor)
        {
            throw new SqlException($"The window function {name} takes {expected}.", call.Position);
        }

        var input = BindNamedTable(table.Table, ctes);
        var timeName = descriptor.Columns[0];
        var timeField = input.Schema.IndexOf(timeName);
        if (timeField < 0)
        {
            throw new SqlException($"Column '{timeName}' of DESCRIPTOR not found in table '{table.Table.Name}'.{NameSuggestions.DidYouMean(timeName, CalcNode.FieldNames(input.Schema), orNearest: true)}", descriptor.Position);
        }

        RequireTimeAttribute(input, timeField, table.Table.Name, name, descriptor.Position);
        var values = new long[arguments.Count - 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Duration(arguments[i + 2], name);
        }

        var processing = input.TimeAttributes[timeField] == TimeAttributeKind.Proctime;
        var window = name switch
        {
            "TUMBLE" => new WindowSpec(WindowKind.Tumble, timeField, values[0], 0, values.Length > 1 ? values[1] : 0, processing),
            "HOP" => new WindowSpec(WindowKind.Hop, timeField, values[1], values[0], values.Length > 2 ? values[2] : 0, processing),
            "CUMULATE" => new WindowSpec(WindowKind.Cumulate, timeField, values[1], values[0], values.Length > 2 ? values[2] : 0, processing),
            _ => new WindowSpec(WindowKind.Session, timeField, values[0], 0, 0, processing),
        };
        CheckWindow(window, name, call.Position);
        var partitionKeys = new List<int>();
        if (table.PartitionBy.Count > 0)
        {
            if (name != "SESSION")
            {
                throw new SqlException($"PARTITION BY in the table argument is allowed only for SESSION windows, not {name}.", table.Position);
            }

            var binder = new ExpressionBinder(Scope.Of(input.Schema, table.Table.Name), _functions, "PARTITION BY");
            foreach (var key in table.PartitionBy)
            {
                partitionKeys.Add(binder.Bind(key) is InputReference reference
                    ? reference.Index
                    : throw new SqlException("A SESSION window's PARTITION BY must name columns.", key.Position));
            }
        }

        foreach (var reserved in new[] { "window_start", "window_end", "window_time" })
        {
            if (input.Schema.IndexOf(reserved) >= 0)
            {
                throw new SqlException($"Table '{table.Table.Name}' already has a column '{reserved}', which the window function {name} adds; rename it.", table.Position);
            }
        }

        return new WindowTableFunctionNode(input, window, partitionKeys);
    }

    /// <summary>Fails unless <paramref name="field"/> of <paramref name="input"/> is a time attribute; the message names the table and column.</summary>
    private static void RequireTimeAttribute(LogicalNode input, int field, string table, string window, SqlPosition position)
    {
        if (!input.IsTimeAttribute(field))
        {
            var column = input.Schema[field].Name;
            throw new SqlException(
                $"The {window} window's time column '{column}' of table '{table}' is not a time attribute: '{table}' declares no WATERMARK for '{column}'. Add WATERMARK FOR {Schemas.Schema.QuoteName(column)} AS … to the table, or window on a PROCTIME() column.",
                position);
        }
    }

    /// <summary>A window size, slide, step, offset or gap: a positive DAY TO SECOND interval literal, in milliseconds.</summary>
    private long Duration(SqlExpression expression, string window)
    {
        var bound = BoundExpressions.Fold(new ExpressionBinder(new Scope(new Schemas.Schema(), []), _functions, $"the {window} window").Bind(expression));
        if (bound is not IntervalLiteral { Kind: IntervalKind.DayToSecond } interval)
        {
            throw new SqlException($"The {window} window's sizes must be DAY TO SECOND interval literals (INTERVAL '10' SECOND), not {SqlFormatter.Format(expression)}.", expression.Position);
        }

        return interval.Value;
    }

    private static void CheckWindow(WindowSpec window, string name, SqlPosition position)
    {
        if (window.SizeMillis <= 0 || (window.Kind is WindowKind.Hop or WindowKind.Cumulate && window.SlideMillis <= 0))
        {
            throw new SqlException($"The {name} window's sizes must be positive.", position);
        }

        if (window.Kind == WindowKind.Hop && window.SizeMillis % window.SlideMillis != 0)
        {
            throw ExpressionBinder.Unsupported($"A HOP window whose size ({window.SizeMillis} ms) is not a multiple of its slide ({window.SlideMillis} ms)", position);
        }

        if (window.Kind == WindowKind.Cumulate && window.SizeMillis % window.SlideMillis != 0)
        {
            throw new SqlException($"The CUMULATE window's size ({window.SizeMillis} ms) must be a multiple of its step ({window.SlideMillis} ms).", position);
        }
    }
}
