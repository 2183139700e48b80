using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// Runs a set of nodes in dependency order, at most <c>threads</c> at a time: a node starts once every node it
/// depends on (within the set; through unselected or ephemeral nodes in between) has finished, and is skipped when
/// one of them failed. In <c>build</c>, a node also waits for the single-parent tests of its parents, so a failing
/// <c>unique</c> test stops what is built on the bad data (as dbt build does).
/// </summary>
internal sealed class DagScheduler(ModelProject project, IReadOnlyCollection<ProjectNode> nodes, int threads, bool testsGate)
{
    private readonly HashSet<string> _members = nodes.Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _waitsFor = new(StringComparer.Ordinal);

    /// <summary>The nodes <paramref name="node"/> waits for, inside the set.</summary>
    public HashSet<string> WaitsFor(ProjectNode node)
    {
        if (_waitsFor.TryGetValue(node.UniqueId, out var cached))
        {
            return cached;
        }
        var result = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(node.DependsOn);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!seen.Add(id))
            {
                continue;
            }
            if (_members.Contains(id))
            {
                result.Add(id);
            }
            else
            {
                foreach (var parent in project.Nodes[id].DependsOn)
                {
                    stack.Push(parent);
                }
            }
        }
        if (testsGate && node.Kind != NodeKind.Test)
        {
            foreach (var parent in result.ToList())
            {
                foreach (var child in project.Children.GetValueOrDefault(parent) ?? [])
                {
                    var test = project.Nodes[child];
                    if (test.Kind == NodeKind.Test && test.DependsOn.Count == 1 && _members.Contains(child))
                    {
                        result.Add(child);
                    }
                }
            }
        }
        _waitsFor[node.UniqueId] = result;
        return result;
    }

    public async Task<List<NodeResult>> RunAsync(Func<ProjectNode, int, Task<NodeResult>> run, Action<ProjectNode, NodeResult, int> skipped, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, NodeResult>(StringComparer.Ordinal);
        var ordered = new List<NodeResult>();
        var pending = nodes.OrderBy(n => n.Kind == NodeKind.Test).ThenBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        var running = new Dictionary<Task<NodeResult>, ProjectNode>();
        var started = 0;
        while (pending.Count > 0 || running.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < pending.Count && running.Count < threads; i++)
            {
                var node = pending[i];
                var waits = WaitsFor(node);
                if (!waits.All(results.ContainsKey))
                {
                    continue;
                }
                pending.RemoveAt(i--);
                started++;
                var failed = waits.Order(StringComparer.Ordinal).Select(w => results[w]).FirstOrDefault(r => r.Status is NodeStatus.Error or NodeStatus.Fail or NodeStatus.Skipped);
                if (failed is not null)
                {
                    var result = new NodeResult(node.UniqueId, node.Name, node.Kind.ToString().ToLowerInvariant(), NodeStatus.Skipped,
                        $"skipped: upstream {failed.ResourceType} '{failed.Name}' {(failed.Status == NodeStatus.Skipped ? "was skipped" : failed.Status == NodeStatus.Fail ? "failed its test" : "failed")}", TimeSpan.Zero);
                    results[node.UniqueId] = result;
                    ordered.Add(result);
                    skipped(node, result, started);
                    i = -1;
                    continue;
                }
                running.Add(run(node, started), node);
            }
            if (running.Count == 0)
            {
                if (pending.Count > 0)
                {
                    throw new InvalidOperationException($"no runnable node among {pending.Count} pending (first {pending[0].UniqueId}): the graph is not acyclic");
                }
                break;
            }
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            NodeResult finished;
            try
            {
                finished = await done.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A node's failure never aborts the others: it becomes its Error result, and its dependents are skipped.
                finished = ModelRunner.ErrorResult(running[done], e);
            }
            running.Remove(done);
            results[finished.UniqueId] = finished;
            ordered.Add(finished);
        }
        return ordered;
    }
}
