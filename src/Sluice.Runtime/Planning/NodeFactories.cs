using Sluice.Graph;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Tasks;
using Sluice.Runtime.Transport;

namespace Sluice.Runtime.Planning;

/// <summary>
/// Builds a node's operator instances and the typed outputs that feed it. The planner works on untyped nodes; the
/// factory, created by <see cref="NodeFactoryVisitor"/> with the node's type arguments, restores the types.
/// </summary>
internal abstract class NodeFactory
{
    /// <summary>For a two-phase sink, what commits its staged output; null otherwise.</summary>
    public Sinks.ITwoPhaseCommitter? Committer { get; init; }

    /// <summary>Builds the node's operator for <see cref="TaskBuilder.Subtask"/>, its chained successors first.</summary>
    public abstract StreamOperator Build(TaskBuilder builder, PlanNode node);

    /// <summary>The output an upstream operator of the same subtask writes to for <paramref name="edge"/> into this node.</summary>
    public abstract Output CreateInputOutput(TaskBuilder builder, PlanEdge edge);

    /// <summary>Dispatchers per input index, for a head operator fed by channels.</summary>
    public abstract IRecordDispatcher[] CreateDispatchers(StreamOperator head);

    /// <summary>Combines several outputs of this node's input type (several consumers of one side output).</summary>
    public abstract Output CreateFanOut(List<Output> outputs, int inputIndex);

    protected static Output Exchange<T>(TaskBuilder builder, PlanEdge edge)
    {
        var exchange = new ExchangeOutput<T>(builder.Channels.For(edge, builder.Subtask), edge.Kind, (KeySpec<T>?)edge.Key,
            builder.Options.KeyGroupCount, builder.Options.BatchSize);
        builder.Exchanges.Add(exchange);
        return exchange;
    }

    protected static Output FanOut<T>(List<Output> outputs) => new RoutingOutput<T>(outputs.Cast<Output<T>>().ToArray(), []);
}

/// <summary>A node whose main output has type <typeparamref name="TOut"/>.</summary>
internal abstract class NodeFactory<TOut> : NodeFactory
{
    /// <summary>Builds the node's output: its main consumers plus side outputs by tag.</summary>
    protected static Output<TOut> BuildOutput(TaskBuilder builder, PlanNode node)
    {
        var main = new List<Output<TOut>>();
        var sides = new Dictionary<string, List<(PlanEdge Edge, Output Output)>>();
        foreach (var edge in node.Outputs)
        {
            var output = edge.Target.Factory.CreateInputOutput(builder, edge);
            if (edge.SideTagId is null)
            {
                main.Add((Output<TOut>)output);
            }
            else
            {
                if (!sides.TryGetValue(edge.SideTagId, out var list))
                {
                    sides[edge.SideTagId] = list = [];
                }
                list.Add((edge, output));
            }
        }
        var producer = new OperatorIdentity(builder.Options.JobName, builder.JobId.ToString(), node.Name);
        if (sides.Count == 0)
        {
            var output = main.Count switch
            {
                0 => new DiscardingOutput<TOut>(),
                1 => main[0], // Created for this edge alone: it names this node as its producer.
                _ => new RoutingOutput<TOut>([.. main], []),
            };
            output.Producer = producer;
            return output;
        }
        var routes = new Dictionary<string, Output>();
        foreach (var (tag, list) in sides)
        {
            routes[tag] = list.Count == 1
                ? list[0].Output
                : list[0].Edge.Target.Factory.CreateFanOut(list.ConvertAll(x => x.Output), list[0].Edge.InputIndex);
        }
        return new RoutingOutput<TOut>([.. main], routes) { Producer = producer };
    }
}

internal sealed class SourceFactory<T>(Func<Output<T>, Action, StreamOperator> create) : NodeFactory<T>
{
    public override StreamOperator Build(TaskBuilder builder, PlanNode node)
    {
        var op = create(BuildOutput(builder, node), builder.Gate.WakeUp);
        builder.Register(op, node);
        return op;
    }

    public override Output CreateInputOutput(TaskBuilder builder, PlanEdge edge) => throw new InvalidOperationException("A source has no inputs.");

    public override IRecordDispatcher[] CreateDispatchers(StreamOperator head) => [];

    public override Output CreateFanOut(List<Output> outputs, int inputIndex) => throw new InvalidOperationException("A source has no inputs.");
}

internal sealed class OneInputFactory<TIn, TOut>(Func<Output<TOut>, StreamOperator> create) : NodeFactory<TOut>
{
    public override StreamOperator Build(TaskBuilder builder, PlanNode node)
    {
        var op = create(BuildOutput(builder, node));
        builder.Register(op, node);
        return op;
    }

    public override Output CreateInputOutput(TaskBuilder builder, PlanEdge edge) => edge.Chained
        ? new ChainingOutput<TIn>((IInput<TIn>)Build(builder, edge.Target))
        : Exchange<TIn>(builder, edge);

    public override IRecordDispatcher[] CreateDispatchers(StreamOperator head) => [new OneInputDispatcher<TIn>((IInput<TIn>)head)];

    public override Output CreateFanOut(List<Output> outputs, int inputIndex) => FanOut<TIn>(outputs);
}

internal sealed class TwoInputFactory<TIn1, TIn2, TOut>(Func<Output<TOut>, StreamOperator> create) : NodeFactory<TOut>
{
    public override StreamOperator Build(TaskBuilder builder, PlanNode node)
    {
        var op = create(BuildOutput(builder, node));
        builder.Register(op, node);
        return op;
    }

    public override Output CreateInputOutput(TaskBuilder builder, PlanEdge edge) =>
        edge.InputIndex == 0 ? Exchange<TIn1>(builder, edge) : Exchange<TIn2>(builder, edge);

    public override IRecordDispatcher[] CreateDispatchers(StreamOperator head)
    {
        var input = (ITwoInput<TIn1, TIn2>)head;
        return [new FirstInputDispatcher<TIn1, TIn2>(input), new SecondInputDispatcher<TIn1, TIn2>(input)];
    }

    public override Output CreateFanOut(List<Output> outputs, int inputIndex) =>
        inputIndex == 0 ? FanOut<TIn1>(outputs) : FanOut<TIn2>(outputs);
}
