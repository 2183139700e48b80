using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// dbt's node selection: each <c>--select</c> word is a name (<c>orders</c>), <c>tag:x</c>, <c>path:models/staging</c>
/// (a file or folder prefix) or <c>source:raw.orders</c>, optionally with <c>+</c> before (and its ancestors) or after
/// (and its descendants). Words are unioned; <c>--exclude</c> words are removed. Without <c>--select</c> every node is
/// selected. A test is selected with any node it tests (dbt's eager indirect selection).
/// </summary>
internal static class NodeSelector
{
    public static HashSet<string> Select(ModelProject project, IReadOnlyList<string> select, IReadOnlyList<string> exclude)
    {
        var words = Words(select);
        var selected = words.Count == 0
            ? project.Nodes.Keys.ToHashSet(StringComparer.Ordinal)
            : words.SelectMany(w => Match(project, w)).ToHashSet(StringComparer.Ordinal);
        foreach (var test in project.Nodes.Values.Where(n => n.Kind == NodeKind.Test))
        {
            if (words.Count > 0 && test.DependsOn.Any(selected.Contains))
            {
                selected.Add(test.UniqueId);
            }
        }
        foreach (var word in Words(exclude))
        {
            selected.ExceptWith(Match(project, word));
        }
        return selected;
    }

    private static List<string> Words(IReadOnlyList<string> values) =>
        [.. values.SelectMany(v => v.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))];

    private static HashSet<string> Match(ModelProject project, string word)
    {
        var ancestors = word.StartsWith('+');
        var descendants = word.EndsWith('+') && word.Length > 1;
        var core = word.Trim('+');
        var matched = project.Nodes.Values.Where(n => Matches(project, n, core)).Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        if (matched.Count == 0)
        {
            throw new ModelProjectException($"--select '{word}' matches nothing in project '{project.Name}': use a model, seed or test name, tag:…, path:… or source:….");
        }
        var result = new HashSet<string>(matched, StringComparer.Ordinal);
        if (ancestors)
        {
            Walk(matched, id => project.Nodes[id].DependsOn, result);
        }
        if (descendants)
        {
            Walk(matched, id => project.Children.GetValueOrDefault(id) ?? [], result);
        }
        return result;
    }

    private static void Walk(IEnumerable<string> start, Func<string, IEnumerable<string>> next, HashSet<string> result)
    {
        var stack = new Stack<string>(start);
        while (stack.Count > 0)
        {
            foreach (var id in next(stack.Pop()))
            {
                if (result.Add(id))
                {
                    stack.Push(id);
                }
            }
        }
    }

    private static bool Matches(ModelProject project, ProjectNode node, string core)
    {
        if (core.StartsWith("tag:", StringComparison.Ordinal))
        {
            return node.Tags.Contains(core[4..]);
        }
        if (core.StartsWith("path:", StringComparison.Ordinal))
        {
            var path = core[5..].TrimEnd('/');
            return node.Kind != NodeKind.Source && (node.Path == path || node.Path.StartsWith(path + "/", StringComparison.Ordinal));
        }
        if (core.StartsWith("source:", StringComparison.Ordinal))
        {
            var name = core[7..];
            return node.Kind == NodeKind.Source && (node.Name == name || node.Name.StartsWith(name + ".", StringComparison.Ordinal));
        }
        return node.Kind != NodeKind.Source && (node.Name == core || node.UniqueId == core || $"{project.Name}.{node.Name}" == core);
    }
}
