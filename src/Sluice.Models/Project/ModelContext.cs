using Sluice.Models.Templating;

namespace Sluice.Models.Project;

/// <summary>
/// The names a model, test or macro sees when it renders: <c>ref</c>, <c>source</c>, <c>config</c>,
/// <c>is_incremental</c>, <c>this</c>, <c>var</c>, <c>env_var</c>, <c>target</c>, <c>log</c>, plus the project's
/// macros. One context per render: <see cref="Ephemerals"/> collects the ephemeral models the SQL references.
/// </summary>
internal sealed class ModelContext
{
    private readonly ModelProject _project;
    private readonly ProjectNode _node;
    private readonly bool _parsing;

    public ModelContext(ModelProject project, ProjectNode node, bool parsing, bool isIncremental)
    {
        _project = project;
        _node = node;
        _parsing = parsing;
        Globals = new Dictionary<string, object?>
        {
            ["ref"] = (JinjaFunction)Ref,
            ["source"] = (JinjaFunction)Source,
            ["config"] = (JinjaFunction)Config,
            ["is_incremental"] = (JinjaFunction)((_, _) => isIncremental),
            ["this"] = node.Kind == NodeKind.Model ? project.RelationOf(node) : null,
            ["var"] = (JinjaFunction)Var,
            ["env_var"] = EnvVar,
            ["target"] = project.Target.ToTemplateValue(),
            ["project_name"] = project.Name,
            ["log"] = (JinjaFunction)((_, _) => ""),
            ["run_started_at"] = project.RunStartedAt.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00:00", System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var macros in project.MacroTemplates)
        {
            macros.DefineMacros(Globals);
        }
    }

    public Dictionary<string, object?> Globals { get; }

    /// <summary>Ephemeral models referenced, in first-reference order.</summary>
    public List<ProjectNode> Ephemerals { get; } = [];

    /// <summary><c>env_var('NAME', default)</c>: an environment variable, the default, or an error naming the variable.</summary>
    public static readonly JinjaFunction EnvVar = (arguments, keywords) =>
    {
        var name = arguments.Count > 0 ? arguments[0] as string : null;
        if (name is null)
        {
            throw new JinjaCallException("env_var needs the variable's name");
        }
        return Environment.GetEnvironmentVariable(name) ?? (arguments.Count > 1 ? arguments[1] : keywords.TryGetValue("default", out var d) ? d
            : throw new JinjaCallException($"environment variable '{name}' is not set and env_var() was given no default"));
    };

    private object? Ref(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        var name = arguments.Count switch
        {
            1 => arguments[0] as string,
            2 => arguments[1] as string,
            _ => null,
        } ?? throw new JinjaCallException("ref needs a model name: ref('orders') or ref('package', 'orders')");
        var target = _project.FindRefable(name)
            ?? throw new JinjaCallException($"{Describe()} refers to '{name}', which is no model or seed of this project{_project.Suggest(name)}");
        Depend(target, $"ref('{name}')");
        if (target.Kind == NodeKind.Model && target.Materialization == Materialization.Ephemeral)
        {
            if (!Ephemerals.Contains(target))
            {
                Ephemerals.Add(target);
            }
            return new EphemeralReference(target.Name);
        }
        return _project.RelationOf(target);
    }

    private object? Source(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        if (arguments.Count != 2 || arguments[0] is not string source || arguments[1] is not string table)
        {
            throw new JinjaCallException("source needs a source name and a table name: source('raw', 'orders')");
        }
        var node = _project.FindSource(source, table)
            ?? throw new JinjaCallException($"{Describe()} refers to source '{source}.{table}', which no sources: entry of a schema file declares");
        Depend(node, $"source('{source}', '{table}')");
        return _project.RelationOf(node);
    }

    /// <summary>
    /// While parsing, records that the node depends on <paramref name="target"/>. The graph is frozen after load (the
    /// scheduler reads it while workers render), so at run time a reference the parse did not see is an error, as in
    /// dbt: such a ref (e.g. only inside <c>{% if is_incremental() %}</c>) would not be waited for.
    /// </summary>
    private void Depend(ProjectNode target, string call)
    {
        if (_parsing)
        {
            _node.DependsOn.Add(target.UniqueId);
        }
        else if (!_node.DependsOn.Contains(target.UniqueId))
        {
            throw new JinjaCallException($"{Describe()} calls {call} only at run time, so it was not found as a dependency when the project was loaded "
                + $"and would not be waited for; add a comment that always renders, e.g. '-- depends_on: {{{{ {call} }}}}' at the top of the model");
        }
    }

    private object? Config(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        if (_parsing)
        {
            foreach (var (key, value) in keywords)
            {
                _node.Config[key] = value;
            }
        }
        return "";
    }

    private object? Var(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords)
    {
        var name = arguments.Count > 0 ? arguments[0] as string : null;
        if (name is null)
        {
            throw new JinjaCallException("var needs the variable's name");
        }
        return _project.Vars.TryGetValue(name, out var value) ? value
            : arguments.Count > 1 ? arguments[1]
            : throw new JinjaCallException($"var '{name}' is not defined: set it under vars: in the project file or pass --vars");
    }

    private string Describe() => $"{_node.Kind.ToString().ToLowerInvariant()} '{_node.Name}'";
}
