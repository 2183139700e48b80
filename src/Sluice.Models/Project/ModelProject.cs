using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>
/// A loaded model project: its models, seeds, sources and tests as a graph, every template parsed and rendered once
/// to find its <c>ref</c>s and <c>config</c>. <see cref="Load"/> reports the first problem (a file that does not parse,
/// a missing ref, a cycle) as a <see cref="ModelProjectException"/> naming the file and line, before anything runs.
/// </summary>
internal sealed partial class ModelProject
{
    /// <summary>Project files looked for, in order.</summary>
    public static readonly string[] ProjectFileNames = ["sluice_project.yml", "dbt_project.yml"];

    private readonly Dictionary<string, ProjectNode> _nodes = new(StringComparer.Ordinal);

    private ModelProject(string directory, ModelTarget target)
    {
        Directory = directory;
        Target = target;
    }

    public string Directory { get; }

    public string Name { get; private set; } = "";

    public string ProjectFile { get; private set; } = "";

    public ModelTarget Target { get; }

    public string TargetPath { get; private set; } = "target";

    public DateTime RunStartedAt { get; } = DateTime.UtcNow;

    public Dictionary<string, object?> Vars { get; } = [];

    public List<JinjaTemplate> MacroTemplates { get; } = [];

    /// <summary>All nodes by unique id.</summary>
    public IReadOnlyDictionary<string, ProjectNode> Nodes => _nodes;

    /// <summary>Unique id → ids of the nodes that depend on it.</summary>
    public Dictionary<string, SortedSet<string>> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads the project in <paramref name="directory"/> for <paramref name="target"/>; <paramref name="vars"/>
    /// override the project's <c>vars:</c>.
    /// </summary>
    public static ModelProject Load(string directory, ModelTarget target, IReadOnlyDictionary<string, object?>? vars = null)
    {
        var project = new ModelProject(Path.GetFullPath(directory), target);
        project.LoadAll(vars ?? new Dictionary<string, object?>());
        return project;
    }

    /// <summary>Reads only the project file's <c>profile:</c>, to resolve the target before loading.</summary>
    public static string? ProfileName(string directory)
    {
        var (path, file) = FindProjectFile(directory);
        return (YamlTree.Load(path, file).Root as Dictionary<string, object?>)?.GetValueOrDefault("profile") as string;
    }

    private static (string Path, string File) FindProjectFile(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new ModelProjectException($"The project folder '{directory}' does not exist: pass the folder holding sluice_project.yml or dbt_project.yml with --project-dir.");
        }
        foreach (var name in ProjectFileNames)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return (path, name);
            }
        }
        throw new ModelProjectException($"'{directory}' has no sluice_project.yml or dbt_project.yml: run the command in a project folder or pass --project-dir.");
    }

    public ProjectNode? FindRefable(string name) =>
        _nodes.GetValueOrDefault($"model.{Name}.{name}") ?? _nodes.GetValueOrDefault($"seed.{Name}.{name}");

    public ProjectNode? FindSource(string source, string table) => _nodes.GetValueOrDefault($"source.{Name}.{source}.{table}");

    /// <summary>" (did you mean 'x'?)" when a model or seed name is close to <paramref name="name"/>, else "".</summary>
    public string Suggest(string name)
    {
        var close = _nodes.Values.Where(n => n.Kind is NodeKind.Model or NodeKind.Seed)
            .Select(n => n.Name)
            .Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
        return close is null ? "" : $" (did you mean '{close}'?)";
    }

    /// <summary>Where a model, seed or source lives: the target schema, or <c>target_custom</c> with a <c>schema</c> config (as dbt does).</summary>
    public Relation RelationOf(ProjectNode node)
    {
        if (node.SourceRelation is { } source)
        {
            return new Relation(source.Schema, source.Identifier);
        }
        var custom = node.Config.GetValueOrDefault("schema") as string;
        return new Relation(custom is null ? Target.Schema : Target.Schema + "_" + custom, node.Identifier);
    }

    private void Add(ProjectNode node, string file, int line)
    {
        if (_nodes.TryGetValue(node.UniqueId, out var existing))
        {
            throw new ModelProjectException($"{file}:{line}: {node.Kind.ToString().ToLowerInvariant()} '{node.Name}' is defined twice (also in {existing.Path}): names must be unique in a project.");
        }
        if (node.Kind == NodeKind.Model && _nodes.ContainsKey($"seed.{Name}.{node.Name}") || node.Kind == NodeKind.Seed && _nodes.ContainsKey($"model.{Name}.{node.Name}"))
        {
            throw new ModelProjectException($"{file}:{line}: '{node.Name}' is both a model and a seed: ref('{node.Name}') would be ambiguous; rename one.");
        }
        _nodes.Add(node.UniqueId, node);
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static IEnumerable<string> FilesUnder(string root, string folder, params string[] patterns)
    {
        var directory = Path.Combine(root, folder);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }
        return patterns.SelectMany(p => System.IO.Directory.EnumerateFiles(directory, p, SearchOption.AllDirectories)).Order(StringComparer.Ordinal);
    }

    private static JinjaTemplate ParseTemplate(string root, string path)
    {
        try
        {
            return JinjaTemplate.Parse(Relative(root, path), File.ReadAllText(path));
        }
        catch (TemplateException e)
        {
            throw new ModelProjectException(e.Message, e);
        }
    }
}
