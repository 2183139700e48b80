using Sluice.Models.Templating;

namespace Sluice.Models.Project;

internal sealed partial class ModelProject
{
    private static readonly HashSet<string> s_configKeys =
    [
        "materialized", "unique_key", "tags", "schema", "alias", "enabled", "incremental_strategy", "full_refresh", "severity",
        "where", "quote_columns", "column_types", "on_schema_change", "persist_docs", "docs", "meta", "database", "pre-hook",
        "post-hook", "grants", "contract", "store_failures", "limit", "delimiter",
    ];

    private List<string> _modelPaths = ["models"];
    private Dictionary<string, object?> _modelsConfig = [];
    private Dictionary<string, object?> _seedsConfig = [];

    private void LoadAll(IReadOnlyDictionary<string, object?> vars)
    {
        var (path, file) = FindProjectFile(Directory);
        ProjectFile = file;
        var tree = YamlTree.Load(path, file);
        var root = tree.Root as Dictionary<string, object?> ?? throw new ModelProjectException($"{file}:1: the project file must be a mapping with at least 'name:'.");
        Name = root.GetValueOrDefault("name") as string ?? throw new ModelProjectException($"{file}:1: the project has no 'name:'.");
        _modelPaths = Strings(root.GetValueOrDefault("model-paths") ?? root.GetValueOrDefault("source-paths"), "models");
        var seedPaths = Strings(root.GetValueOrDefault("seed-paths") ?? root.GetValueOrDefault("data-paths"), "seeds");
        var testPaths = Strings(root.GetValueOrDefault("test-paths"), "tests");
        var macroPaths = Strings(root.GetValueOrDefault("macro-paths"), "macros");
        TargetPath = root.GetValueOrDefault("target-path") as string ?? "target";
        _modelsConfig = root.GetValueOrDefault("models") as Dictionary<string, object?> ?? [];
        _seedsConfig = root.GetValueOrDefault("seeds") as Dictionary<string, object?> ?? [];
        if (root.GetValueOrDefault("vars") is Dictionary<string, object?> projectVars)
        {
            foreach (var (name, value) in projectVars)
            {
                Vars[name] = value;
            }
        }
        foreach (var (name, value) in vars)
        {
            Vars[name] = value;
        }

        foreach (var macroFile in macroPaths.SelectMany(p => FilesUnder(Directory, p, "*.sql")))
        {
            MacroTemplates.Add(ParseTemplate(Directory, macroFile));
        }
        foreach (var modelPath in _modelPaths)
        {
            foreach (var sql in FilesUnder(Directory, modelPath, "*.sql"))
            {
                var name = Path.GetFileNameWithoutExtension(sql);
                var node = new ProjectNode
                {
                    Kind = NodeKind.Model,
                    Name = name,
                    UniqueId = $"model.{Name}.{name}",
                    Path = Relative(Directory, sql),
                    Template = ParseTemplate(Directory, sql),
                };
                ApplyFolderConfig(node, _modelsConfig, Relative(Path.Combine(Directory, modelPath), Path.GetDirectoryName(sql)!));
                Add(node, node.Path, 1);
            }
        }
        foreach (var seedPath in seedPaths)
        {
            foreach (var csv in FilesUnder(Directory, seedPath, "*.csv"))
            {
                var name = Path.GetFileNameWithoutExtension(csv);
                var node = new ProjectNode
                {
                    Kind = NodeKind.Seed,
                    Name = name,
                    UniqueId = $"seed.{Name}.{name}",
                    Path = Relative(Directory, csv),
                    SeedFile = csv,
                };
                ApplyFolderConfig(node, _seedsConfig, Relative(Path.Combine(Directory, seedPath), Path.GetDirectoryName(csv)!));
                Add(node, node.Path, 1);
            }
        }
        var schemaFiles = _modelPaths.Concat(seedPaths).SelectMany(p => FilesUnder(Directory, p, "*.yml", "*.yaml")).Distinct().ToList();
        var schemaTrees = schemaFiles.Select(f => YamlTree.Load(f, Relative(Directory, f))).ToList();
        foreach (var schema in schemaTrees)
        {
            LoadSources(schema);
        }
        foreach (var schema in schemaTrees)
        {
            LoadSchema(schema);
        }
        foreach (var testPath in testPaths)
        {
            foreach (var sql in FilesUnder(Directory, testPath, "*.sql"))
            {
                var relative = Relative(Directory, sql);
                if (relative.Contains("/generic/", StringComparison.Ordinal))
                {
                    continue;
                }
                var name = Path.GetFileNameWithoutExtension(sql);
                Add(new ProjectNode
                {
                    Kind = NodeKind.Test,
                    Name = name,
                    UniqueId = $"test.{Name}.{name}",
                    Path = relative,
                    Template = ParseTemplate(Directory, sql),
                }, relative, 1);
            }
        }

        // Render every template once, as dbt parses: refs become dependencies, config() calls become configuration.
        // Models first (their config decides whether a ref is ephemeral), in file order.
        foreach (var node in _nodes.Values.Where(n => n.Template is not null).OrderBy(n => n.Kind == NodeKind.Test).ThenBy(n => n.Path, StringComparer.Ordinal).ToList())
        {
            Render(node, parsing: true, isIncremental: false);
        }
        RemoveDisabled();
        // Generic tests: building their SQL records the relationships test's ref.
        foreach (var node in _nodes.Values.Where(n => n.Test is not null).ToList())
        {
            ModelCompiler.Compile(this, node, isIncremental: false, parsing: true);
        }
        foreach (var node in _nodes.Values)
        {
            foreach (var parent in node.DependsOn)
            {
                if (!Children.TryGetValue(parent, out var children))
                {
                    Children[parent] = children = new SortedSet<string>(StringComparer.Ordinal);
                }
                children.Add(node.UniqueId);
            }
        }
        CheckAcyclic();
    }

    /// <summary>
    /// Leaves nodes configured <c>enabled: false</c> out of the graph, as dbt does, with the generic tests attached to
    /// them; a node that still refers to one is an error naming both.
    /// </summary>
    private void RemoveDisabled()
    {
        var disabled = _nodes.Values.Where(n => n.Config.GetValueOrDefault("enabled") is false).Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        if (disabled.Count == 0)
        {
            return;
        }
        disabled.UnionWith(_nodes.Values.Where(n => n.AttachedTo is { } attached && disabled.Contains(attached)).Select(n => n.UniqueId).ToList());
        var removed = disabled.ToDictionary(id => id, id => _nodes[id], StringComparer.Ordinal);
        foreach (var id in disabled)
        {
            _nodes.Remove(id);
        }
        foreach (var node in _nodes.Values.OrderBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal))
        {
            if (node.DependsOn.FirstOrDefault(disabled.Contains) is { } id)
            {
                var parent = removed[id];
                throw new ModelProjectException($"{node.Path}: {node.Kind.ToString().ToLowerInvariant()} '{node.Name}' refers to {parent.Kind.ToString().ToLowerInvariant()} '{parent.Name}', which is disabled (enabled: false in {parent.Path} or the project file); enable it or remove the reference.");
            }
        }
    }

    /// <summary>Renders a model's or singular test's template (errors as <see cref="ModelProjectException"/>).</summary>
    public (string Sql, List<ProjectNode> Ephemerals) Render(ProjectNode node, bool parsing, bool isIncremental)
    {
        var context = new ModelContext(this, node, parsing, isIncremental);
        try
        {
            return (node.Template!.Render(context.Globals), context.Ephemerals);
        }
        catch (TemplateException e)
        {
            throw new ModelProjectException(e.Message, e);
        }
    }

    private static List<string> Strings(object? value, string fallback) => value switch
    {
        List<object?> list => [.. list.OfType<string>()],
        string s => [s],
        _ => [fallback],
    };

    /// <summary>
    /// Applies <c>models:</c>/<c>seeds:</c> configuration of the project file along the node's folders
    /// (<c>jaffle_shop: {materialized: table, staging: {materialized: view}}</c>), deeper folders winning.
    /// </summary>
    private void ApplyFolderConfig(ProjectNode node, Dictionary<string, object?> config, string folder)
    {
        var level = config.GetValueOrDefault(Name) as Dictionary<string, object?>;
        ApplyLevel(node, config);
        if (level is null)
        {
            return;
        }
        ApplyLevel(node, level);
        foreach (var part in folder.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."))
        {
            if (level.GetValueOrDefault(part) is not Dictionary<string, object?> next || s_configKeys.Contains(part))
            {
                return;
            }
            level = next;
            ApplyLevel(node, level);
        }
    }

    private void ApplyLevel(ProjectNode node, Dictionary<string, object?> level)
    {
        foreach (var (key, value) in level)
        {
            var name = key.TrimStart('+');
            if (key.StartsWith('+') || (s_configKeys.Contains(name) && value is not Dictionary<string, object?> || name is "meta" or "docs" or "column_types"))
            {
                if (name == "tags" && node.Config.GetValueOrDefault("tags") is { } existing)
                {
                    node.Config["tags"] = Strings(existing, "").Concat(Strings(value, "")).Where(t => t.Length > 0).Distinct().Cast<object?>().ToList();
                }
                else
                {
                    node.Config[name] = value;
                }
            }
        }
    }

    private void CheckAcyclic()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var id in _nodes.Keys.Order(StringComparer.Ordinal))
        {
            Visit(id);
        }

        void Visit(string id)
        {
            switch (state.GetValueOrDefault(id))
            {
                case 2:
                    return;
                case 1:
                    var cycle = path.Skip(path.IndexOf(id)).Append(id).Select(i => _nodes[i].Name);
                    var first = _nodes[path[path.IndexOf(id)]];
                    throw new ModelProjectException($"{first.Path}:1: the models form a cycle: {string.Join(" -> ", cycle)} (each refers to the next); break it by removing one ref.");
            }
            state[id] = 1;
            path.Add(id);
            foreach (var parent in _nodes[id].DependsOn)
            {
                Visit(parent);
            }
            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }
    }
}
