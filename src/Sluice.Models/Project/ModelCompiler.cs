using System.Text;
using System.Text.RegularExpressions;
using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>
/// Turns a model or test into the SQL the warehouse runs: the rendered template with the ephemeral models it
/// references inlined as CTEs (<c>__dbt__cte__name</c>), or a generic test's query, which returns the failing rows.
/// </summary>
internal static partial class ModelCompiler
{
    [GeneratedRegex(@"^\s*with\s", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingWith();

    /// <summary>
    /// The compiled SQL of a model or test. <paramref name="parsing"/> is true only while the project loads: then a
    /// generic test's refs are recorded as dependencies; afterwards the graph is frozen.
    /// </summary>
    public static string Compile(ModelProject project, ProjectNode node, bool isIncremental, bool parsing = false)
    {
        if (node.Test is not null)
        {
            return GenericTestSql(project, node, parsing);
        }
        var (sql, ephemerals) = project.Render(node, parsing: false, isIncremental);
        if (ephemerals.Count == 0)
        {
            return sql;
        }
        var ctes = new List<(string Name, string Sql)>();
        CollectEphemerals(project, ephemerals, ctes, []);
        var definitions = string.Join(",\n", ctes.Select(c => $"{c.Name} as (\n{c.Sql}\n)"));
        var body = StripLeadingComments(sql);
        var match = LeadingWith().Match(body);
        return match.Success
            ? $"with {definitions},\n{body[match.Length..]}"
            : $"with {definitions}\n{body}";
    }

    private static void CollectEphemerals(ModelProject project, List<ProjectNode> ephemerals, List<(string, string)> ctes, HashSet<string> seen)
    {
        foreach (var ephemeral in ephemerals)
        {
            if (!seen.Add(ephemeral.UniqueId))
            {
                continue;
            }
            var (sql, inner) = project.Render(ephemeral, parsing: false, isIncremental: false);
            CollectEphemerals(project, inner, ctes, seen);
            ctes.Add((new EphemeralReference(ephemeral.Name).CteName, sql));
        }
    }

    /// <summary>Drops leading white space and <c>--</c>/<c>/* */</c> comments, so a leading <c>with</c> is found.</summary>
    private static string StripLeadingComments(string sql)
    {
        var i = 0;
        while (true)
        {
            while (i < sql.Length && char.IsWhiteSpace(sql[i]))
            {
                i++;
            }
            if (string.CompareOrdinal(sql, i, "--", 0, 2) == 0)
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (string.CompareOrdinal(sql, i, "/*", 0, 2) == 0)
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                return sql[i..];
            }
        }
    }

    /// <summary>
    /// A generic test's query, as dbt writes it: it returns one row per failure (not_null: the null rows; unique: each
    /// duplicated value with its count; accepted_values: each unexpected value with its count; relationships: each
    /// child value without a parent).
    /// </summary>
    private static string GenericTestSql(ModelProject project, ProjectNode node, bool parsing)
    {
        var test = node.Test!;
        var attached = project.Nodes[node.AttachedTo!];
        var relation = attached.Kind == NodeKind.Model && attached.Materialization == Materialization.Ephemeral
            ? throw new ModelProjectException($"{node.Path}: test '{node.Name}' is on ephemeral model '{attached.Name}', which has no table to test; test the models that use it.")
            : project.RelationOf(attached).ToString();
        if (node.Config.GetValueOrDefault("where") is string where)
        {
            relation = $"(select * from {relation} where {where}) dbt_subquery";
        }
        var column = node.Column!;
        switch (test.Kind)
        {
            case "not_null":
                return $"select {column}\nfrom {relation}\nwhere {column} is null";
            case "unique":
                return $"select\n    {column} as unique_field,\n    count(*) as n_records\nfrom {relation}\nwhere {column} is not null\ngroup by {column}\nhaving count(*) > 1";
            case "accepted_values":
                var quote = test.Arguments.GetValueOrDefault("quote") is not false;
                var values = ((List<object?>)test.Arguments["values"]!).Select(v => quote ? "'" + JinjaValues.ToText(v).Replace("'", "''", StringComparison.Ordinal) + "'" : JinjaValues.ToText(v));
                return $"with all_values as (\n    select {column} as value_field, count(*) as n_records\n    from {relation}\n    group by {column}\n)\nselect *\nfrom all_values\nwhere value_field not in ({string.Join(", ", values)})";
            case "relationships":
                var to = RenderExpression(project, node, (string)test.Arguments["to"]!, parsing);
                var field = (string)test.Arguments["field"]!;
                return $"with child as (\n    select {column} as from_field\n    from {relation}\n    where {column} is not null\n),\nparent as (\n    select {field} as to_field\n    from {to}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null";
            default:
                throw new InvalidOperationException($"generic test kind {test.Kind} has no SQL");
        }
    }

    /// <summary>Renders a YAML argument holding a template expression (<c>ref('customers')</c>), recording its dependency while parsing.</summary>
    private static string RenderExpression(ModelProject project, ProjectNode node, string expression, bool parsing)
    {
        try
        {
            var template = JinjaTemplate.Parse(node.Path, "{{ " + expression + " }}");
            return template.Render(new ModelContext(project, node, parsing, isIncremental: false).Globals);
        }
        catch (TemplateException e)
        {
            throw new ModelProjectException($"{node.Path}: test '{node.Name}': '{expression}' does not render: {e.Reason}.", e);
        }
    }

    /// <summary>A compact one-line form of <paramref name="sql"/> for messages.</summary>
    public static string OneLine(string sql)
    {
        var builder = new StringBuilder();
        foreach (var part in sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(builder.Length > 0 ? " " : "").Append(part);
        }
        return builder.ToString();
    }
}
