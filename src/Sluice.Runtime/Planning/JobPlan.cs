using Sluice.Graph;
using Sluice.Plans;
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
    private PlanDescription? _description;

    public JobOptions Options { get; } = options;

    public IReadOnlyList<PlanNode> Nodes { get; } = nodes;

    /// <summary>The plan as data (made once; the plan does not change after planning).</summary>
    public PlanDescription Description => _description ??= Describe();

    private PlanDescription Describe()
    {
        var ids = new Dictionary<PlanNode, int>(Nodes.Count);
        for (var i = 0; i < Nodes.Count; i++)
        {
            ids.Add(Nodes[i], i);
        }
        var taskOf = new int[Nodes.Count];
        var tasks = new List<TaskDescription>();
        foreach (var node in Nodes)
        {
            if (node.IsChainHead)
            {
                var members = new List<int>();
                AddChain(node, members);
                foreach (var member in members)
                {
                    taskOf[member] = tasks.Count;
                }
                tasks.Add(new TaskDescription { Id = tasks.Count, Parallelism = node.Parallelism, Operators = members.ToArray() });
            }
        }
        var operators = new OperatorDescription[Nodes.Count];
        var edges = new List<EdgeDescription>();
        for (var i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            var keyed = node.Inputs.Exists(static e => e.Key is not null);
            var declaredMax = node.Transformation.MaxParallelism;
            operators[i] = new OperatorDescription
            {
                Id = i,
                Uid = node.Uid,
                Name = node.Name,
                Kind = node.Transformation.Accept(OperatorKindVisitor.Instance),
                Parallelism = node.Parallelism,
                MaxParallelism = keyed ? (declaredMax > 0 ? Math.Min(declaredMax, Options.KeyGroupCount) : Options.KeyGroupCount) : declaredMax > 0 ? declaredMax : null,
                Keyed = keyed,
                StateBackend = keyed ? Options.StateBackend.Name : null,
                Task = taskOf[i],
            };
            foreach (var edge in node.Outputs)
            {
                edges.Add(new EdgeDescription
                {
                    Source = i,
                    Target = ids[edge.Target],
                    Input = edge.InputIndex,
                    Partitioning = edge.Kind switch
                    {
                        PartitionKind.KeyGroups => Partitioning.Hash,
                        PartitionKind.Rebalance => Partitioning.Rebalance,
                        _ => Partitioning.Forward,
                    },
                    Chained = edge.Chained,
                    SideOutput = edge.SideTagId,
                });
            }
        }
        return new PlanDescription
        {
            JobName = Options.JobName,
            Parallelism = Options.Parallelism,
            KeyGroups = Options.KeyGroupCount,
            Tasks = tasks.ToArray(),
            Operators = operators,
            Edges = edges.ToArray(),
        };

        void AddChain(PlanNode node, List<int> members)
        {
            members.Add(ids[node]);
            foreach (var edge in node.Outputs)
            {
                if (edge.Chained)
                {
                    AddChain(edge.Target, members);
                }
            }
        }
    }
}
