using System.Text.RegularExpressions;

namespace Sluice.Models.Project;

internal sealed partial class ModelProject
{
    /// <summary>The generic tests a schema file can name.</summary>
    public static readonly string[] GenericTestKinds = ["not_null", "unique", "accepted_values", "relationships"];

    private void LoadSources(YamlTree schema)
    {
        if ((schema.Root as Dictionary<string, object?>)?.GetValueOrDefault("sources") is not List<object?> sources)
        {
            return;
        }
        foreach (var entry in sources)
        {
            if (entry is not Dictionary<string, object?> source || source.GetValueOrDefault("name") is not string sourceName)
            {
                throw new ModelProjectException($"{schema.At(entry ?? sources)}: a source needs a 'name:'.");
            }
            var sourceSchema = source.GetValueOrDefault("schema") as string ?? sourceName;
            foreach (var item in source.GetValueOrDefault("tables") as List<object?> ?? [])
            {
                if (item is not Dictionary<string, object?> table || table.GetValueOrDefault("name") is not string tableName)
                {
                    throw new ModelProjectException($"{schema.At(item ?? source)}: a table of source '{sourceName}' needs a 'name:'.");
                }
                var node = new ProjectNode
                {
                    Kind = NodeKind.Source,
                    Name = $"{sourceName}.{tableName}",
                    UniqueId = $"source.{Name}.{sourceName}.{tableName}",
                    Path = schema.File,
                    SourceRelation = (sourceSchema, table.GetValueOrDefault("identifier") as string ?? tableName),
                };
                Add(node, schema.File, schema.LineOf(table));
            }
        }
    }

    private void LoadSchema(YamlTree schema)
    {
        if (schema.Root is not Dictionary<string, object?> root)
        {
            return;
        }
        foreach (var section in new[] { "models", "seeds" })
        {
            foreach (var entry in root.GetValueOrDefault(section) as List<object?> ?? [])
            {
                if (entry is not Dictionary<string, object?> declared || declared.GetValueOrDefault("name") is not string name)
                {
                    throw new ModelProjectException($"{schema.At(entry ?? root)}: an entry of '{section}:' needs a 'name:'.");
                }
                var id = $"{section[..^1]}.{Name}.{name}";
                if (!_nodes.TryGetValue(id, out var node))
                {
                    throw new ModelProjectException($"{schema.At(declared)}: {section[..^1]} '{name}' is described here but there is no {(section == "models" ? "models/**/" + name + ".sql" : "seeds/" + name + ".csv")}{Suggest(name)}.");
                }
                if (declared.GetValueOrDefault("config") is Dictionary<string, object?> config)
                {
                    ApplyLevel(node, config);
                }
                AddTests(schema, node, null, declared);
                foreach (var item in declared.GetValueOrDefault("columns") as List<object?> ?? [])
                {
                    if (item is not Dictionary<string, object?> column || column.GetValueOrDefault("name") is not string columnName)
                    {
                        throw new ModelProjectException($"{schema.At(item ?? declared)}: a column of '{name}' needs a 'name:'.");
                    }
                    node.Columns[columnName] = column.GetValueOrDefault("description") as string;
                    AddTests(schema, node, columnName, column);
                }
            }
        }
        foreach (var source in root.GetValueOrDefault("sources") as List<object?> ?? [])
        {
            var sourceName = (source as Dictionary<string, object?>)!["name"] as string;
            foreach (var table in ((Dictionary<string, object?>)source!).GetValueOrDefault("tables") as List<object?> ?? [])
            {
                var declared = (Dictionary<string, object?>)table!;
                var node = _nodes[$"source.{Name}.{sourceName}.{declared["name"]}"];
                AddTests(schema, node, null, declared);
                foreach (var column in declared.GetValueOrDefault("columns") as List<object?> ?? [])
                {
                    if (column is Dictionary<string, object?> c && c.GetValueOrDefault("name") is string columnName)
                    {
                        node.Columns[columnName] = c.GetValueOrDefault("description") as string;
                        AddTests(schema, node, columnName, c);
                    }
                }
            }
        }
    }

    /// <summary>Adds the generic tests under <c>tests:</c> or <c>data_tests:</c> of a model, source table or column.</summary>
    private void AddTests(YamlTree schema, ProjectNode attached, string? column, Dictionary<string, object?> declared)
    {
        var tests = (declared.GetValueOrDefault("data_tests") as List<object?> ?? []).Concat(declared.GetValueOrDefault("tests") as List<object?> ?? []);
        foreach (var test in tests)
        {
            string kind;
            var arguments = new Dictionary<string, object?>();
            var config = new Dictionary<string, object?>();
            string? customName = null;
            switch (test)
            {
                case string plain:
                    kind = plain;
                    break;
                case Dictionary<string, object?> { Count: 1 } single:
                    kind = single.Keys.First();
                    if (single[kind] is Dictionary<string, object?> given)
                    {
                        foreach (var (key, value) in given)
                        {
                            switch (key)
                            {
                                case "config":
                                    foreach (var (k, v) in value as Dictionary<string, object?> ?? [])
                                    {
                                        config[k] = v;
                                    }
                                    break;
                                case "arguments":
                                    foreach (var (k, v) in value as Dictionary<string, object?> ?? [])
                                    {
                                        arguments[k] = v;
                                    }
                                    break;
                                case "name":
                                    customName = value as string;
                                    break;
                                case "severity" or "where" or "tags":
                                    config[key] = value;
                                    break;
                                default:
                                    arguments[key] = value;
                                    break;
                            }
                        }
                    }
                    break;
                default:
                    throw new ModelProjectException($"{schema.At(declared)}: a test of '{attached.Name}' must be a name ('unique') or a mapping of one name to its arguments.");
            }
            var testColumn = column ?? arguments.GetValueOrDefault("column_name") as string;
            var where = column is null ? $"'{attached.Name}'" : $"column '{attached.Name}.{column}'";
            if (!GenericTestKinds.Contains(kind))
            {
                throw new ModelProjectException($"{schema.At(declared)}: test '{kind}' on {where} is not supported (generic tests: {string.Join(", ", GenericTestKinds)}; write other checks as singular tests in tests/*.sql).");
            }
            if (testColumn is null)
            {
                throw new ModelProjectException($"{schema.At(declared)}: test '{kind}' on '{attached.Name}' needs a column: declare it under columns:, or give column_name.");
            }
            if (kind == "accepted_values" && arguments.GetValueOrDefault("values") is not List<object?>)
            {
                throw new ModelProjectException($"{schema.At(declared)}: accepted_values on {where} needs 'values:' (a list).");
            }
            if (kind == "relationships" && (arguments.GetValueOrDefault("to") is not string || arguments.GetValueOrDefault("field") is not string))
            {
                throw new ModelProjectException($"{schema.At(declared)}: relationships on {where} needs 'to:' (e.g. ref('customers')) and 'field:'.");
            }
            var prefix = attached.Kind == NodeKind.Source ? "source_" : "";
            var name = customName ?? TestName(prefix + kind, attached.Name.Replace('.', '_'), testColumn, arguments);
            var node = new ProjectNode
            {
                Kind = NodeKind.Test,
                Name = name,
                UniqueId = $"test.{Name}.{name}",
                Path = schema.File,
                Test = new GenericTest(kind, arguments),
                AttachedTo = attached.UniqueId,
                Column = testColumn,
            };
            foreach (var (k, v) in config)
            {
                node.Config[k] = v;
            }
            node.DependsOn.Add(attached.UniqueId);
            Add(node, schema.File, schema.LineOf(declared));
        }
    }

    /// <summary>dbt's generated test name: <c>unique_orders_order_id</c>, <c>accepted_values_orders_status__placed__shipped</c>.</summary>
    private static string TestName(string kind, string model, string column, Dictionary<string, object?> arguments)
    {
        var name = $"{kind}_{model}_{column}";
        var suffix = kind.EndsWith("accepted_values", StringComparison.Ordinal) && arguments["values"] is List<object?> values
            ? string.Concat(values.Select(v => "__" + Templating.JinjaValues.ToText(v)))
            : kind.EndsWith("relationships", StringComparison.Ordinal)
                ? $"__{arguments["field"]}__{arguments["to"]}"
                : "";
        return Regex.Replace(name + suffix, "[^A-Za-z0-9_]", "_");
    }
}
