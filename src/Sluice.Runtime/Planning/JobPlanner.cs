using Sluice.Graph;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Planning;

/// <summary>
/// Turns the logical graph into a physical plan: resolves unions and side outputs into edges, fixes parallelism,
/// picks each edge's partitioning and chains operators that need no exchange (forward edge, equal parallelism,
/// single input — and keyed edges between two non-parallel operators, where every key goes to the one subtask).
/// </summary>
internal static class JobPlanner
{
    /// <exception cref="InvalidOperationException">The job has no sinks or an unsupported shape.</exception>
    public static JobPlan Plan(StreamEnvironment environment)
    {
        var options = environment.Options;
        if (environment.Sinks.Count == 0)
        {
            throw new InvalidOperationException("The job has no sinks: add one with SinkTo, Collect, Print, WriteJsonLines or ForEach before executing it.");
        }
        var nodes = new Dictionary<Transformation, PlanNode>();
        var order = new List<PlanNode>();
        var factories = new NodeFactoryVisitor();

        PlanNode Get(Transformation t)
        {
            if (nodes.TryGetValue(t, out var existing))
            {
                return existing;
            }
            var node = new PlanNode(t, t.Accept(factories));
            nodes.Add(t, node);
            var defaultParallelism = t.MaxParallelism > 0 ? Math.Min(options.Parallelism, t.MaxParallelism) : options.Parallelism;
            node.Parallelism = t.Parallelism > 0 ? t.Parallelism : defaultParallelism;
            for (var i = 0; i < t.Inputs.Count; i++)
            {
                var input = t.Inputs[i];
                foreach (var (source, tag) in Resolve(input.Upstream))
                {
                    var edge = new PlanEdge(source, node, i, input.Key, tag);
                    source.Outputs.Add(edge);
                    node.Inputs.Add(edge);
                }
            }
            order.Add(node);
            return node;
        }

        IEnumerable<(PlanNode Node, string? Tag)> Resolve(Transformation t)
        {
            switch (t)
            {
                case { SideOutputId: { } tag }:
                    var parents = Resolve(t.Inputs[0].Upstream).ToList();
                    if (parents.Exists(p => p.Tag is not null))
                    {
                        throw new InvalidOperationException($"'{t.Name}': a side output of a side output is not supported; read the side output from the operator that emits it.");
                    }
                    return parents.ConvertAll(p => (p.Node, (string?)tag));
                case { IsVirtual: true }:
                    return t.Inputs.SelectMany(i => Resolve(i.Upstream)).ToList();
                default:
                    return [(Get(t), null)];
            }
        }

        foreach (var sink in environment.Sinks)
        {
            Get(sink);
        }

        foreach (var node in order)
        {
            foreach (var edge in node.Outputs)
            {
                var target = edge.Target;
                edge.Kind = edge.Key is not null ? PartitionKind.KeyGroups
                    : edge.Source.Parallelism == target.Parallelism ? PartitionKind.Forward
                    : PartitionKind.Rebalance;
                var sameParallelism = edge.Source.Parallelism == target.Parallelism;
                var forwardLike = edge.Kind == PartitionKind.Forward || (edge.Kind == PartitionKind.KeyGroups && target.Parallelism == 1);
                edge.Chained = options.ChainingEnabled && sameParallelism && forwardLike
                    && target.Transformation.Inputs.Count == 1 && target.Inputs.Count == 1;
            }
        }
        var uids = new HashSet<string>();
        for (var i = 0; i < order.Count; i++)
        {
            var node = order[i];
            node.Uid = node.Transformation.Uid ?? $"{i}-{node.Name}";
            if (!uids.Add(node.Uid))
            {
                throw new InvalidOperationException($"Two operators have the uid '{node.Uid}'; uids must be unique within a job.");
            }
        }
        return new JobPlan(options, order);
    }
}
