using System.Text;
using Sluice.Graph;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Planning;

/// <summary>A physical operator: a non-virtual logical node with its parallelism, edges and factory.</summary>
internal sealed class PlanNode(Transformation transformation, NodeFactory factory)
{
    public Transformation Transformation { get; } = transformation;

    public NodeFactory Factory { get; } = factory;

    public string Name => Transformation.Name;

    public int Parallelism { get; set; }

    /// <summary>The operator's checkpoint id: the user's uid, or its position in the plan and its name.</summary>
    public string Uid { get; set; } = "";

    public List<PlanEdge> Inputs { get; } = [];

    public List<PlanEdge> Outputs { get; } = [];

    /// <summary>True when no input edge is chained: the node starts a task.</summary>
    public bool IsChainHead => !Inputs.Exists(static e => e.Chained);

    public override string ToString() => Name;
}

/// <summary>A physical edge: records of the source's main output (or one side output) feeding an input of the target.</summary>
internal sealed class PlanEdge(PlanNode source, PlanNode target, int inputIndex, KeySpec? key, string? sideTagId)
{
    public PlanNode Source { get; } = source;

    public PlanNode Target { get; } = target;

    /// <summary>Which input of the target (0, or 1 for the second input of a two-input operator).</summary>
    public int InputIndex { get; } = inputIndex;

    /// <summary>The key partitioning, for keyed inputs.</summary>
    public KeySpec? Key { get; } = key;

    /// <summary>The side output the edge carries, or null for the main output.</summary>
    public string? SideTagId { get; } = sideTagId;

    public PartitionKind Kind { get; set; }

    /// <summary>True when source and target run in one task with a direct call between them.</summary>
    public bool Chained { get; set; }
}

/// <summary>The physical plan of a job: nodes in topological order (inputs before consumers).</summary>
internal sealed class JobPlan(JobOptions options, IReadOnlyList<PlanNode> nodes)
{
    public JobOptions Options { get; } = options;

    public IReadOnlyList<PlanNode> Nodes { get; } = nodes;

    /// <summary>A readable description: each task (chain) with its parallelism, and every exchange.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var node in Nodes)
        {
            if (!node.IsChainHead)
            {
                continue;
            }
            text.Append("task [").Append(node.Parallelism).Append("x] ");
            AppendChain(text, node);
            text.AppendLine();
            foreach (var edge in Nodes.SelectMany(n => n.Outputs).Where(e => !e.Chained && e.Target == node))
            {
                text.Append("  <- ").Append(edge.Source.Name).Append(edge.SideTagId is null ? "" : $"[{edge.SideTagId}]")
                    .Append(" via ").Append(edge.Kind).AppendLine();
            }
        }
        return text.ToString();
    }

    private static void AppendChain(StringBuilder text, PlanNode node)
    {
        text.Append(node.Name);
        var chained = node.Outputs.Where(e => e.Chained).ToList();
        if (chained.Count == 0)
        {
            return;
        }
        text.Append(chained.Count == 1 ? " -> " : " -> {");
        for (var i = 0; i < chained.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            if (chained[i].SideTagId is { } tag)
            {
                text.Append('[').Append(tag).Append("] ");
            }
            AppendChain(text, chained[i].Target);
        }
        if (chained.Count > 1)
        {
            text.Append('}');
        }
    }
}
