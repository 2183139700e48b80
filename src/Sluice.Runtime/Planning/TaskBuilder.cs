using Sluice.Runtime.Operators;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Planning;

/// <summary>Collects the parts of one task while its chain is being built (single-threaded, job start only).</summary>
internal sealed class TaskBuilder(JobOptions options, int subtask, InputGate gate, ProcessingTimeService time, ChannelDirectory channels,
    Checkpointing.RestoredCheckpoint? restore)
{
    public JobOptions Options { get; } = options;

    public int Subtask { get; } = subtask;

    public InputGate Gate { get; } = gate;

    public ProcessingTimeService Time { get; } = time;

    public ChannelDirectory Channels { get; } = channels;

    /// <summary>The run's id, given to every operator's context.</summary>
    public JobId JobId { get; init; }

    /// <summary>Operators in the order they were built: downstream before upstream.</summary>
    public List<StreamOperator> Operators { get; } = [];

    public List<IExchange> Exchanges { get; } = [];

    public void Register(StreamOperator op, PlanNode node)
    {
        op.Uid = node.Uid;
        op.Context = new OperatorContext(node.Name, Subtask, node.Parallelism, Options, Time)
        {
            ChainIndex = Operators.Count,
            Restore = restore?.For(node.Uid, Subtask, node.Parallelism),
            Cancellation = Gate.Cancellation,
            JobId = JobId,
            TaskExchanges = Exchanges,
        };
        Operators.Add(op);
    }
}

/// <summary>The input channels of every exchange, created before any operator so producers can find their consumers.</summary>
internal sealed class ChannelDirectory
{
    private readonly Dictionary<(PlanEdge Edge, int Upstream), InputChannel[]> _channels = [];

    /// <summary>Creates the channels of <paramref name="edge"/>: one per (sending upstream subtask, receiving downstream subtask).</summary>
    public void Add(PlanEdge edge, Func<int, InputGate> gateOfDownstream, int capacity)
    {
        var source = edge.Source;
        var target = edge.Target;
        for (var u = 0; u < source.Parallelism; u++)
        {
            var name = $"{source.Name} ({u + 1}/{source.Parallelism})";
            _channels[(edge, u)] = edge.Kind == PartitionKind.Forward
                ? [gateOfDownstream(u).AddChannel(edge.InputIndex, name, capacity)]
                : Enumerable.Range(0, target.Parallelism).Select(d => gateOfDownstream(d).AddChannel(edge.InputIndex, name, capacity)).ToArray();
        }
    }

    /// <summary>The channels upstream subtask <paramref name="upstream"/> sends on, indexed by downstream subtask (one for forward edges).</summary>
    public InputChannel[] For(PlanEdge edge, int upstream) => _channels[(edge, upstream)];
}
