using Sluice.Graph;
using Sluice.Runtime.Operators;
using Sluice.Runtime.Windows;
using Sluice.Windowing;

// Keys are declared notnull by the operators (dictionary keys); the API cannot constrain them, so null keys are
// rejected at run time with an error naming the record instead.
#pragma warning disable CS8714

namespace Sluice.Runtime.Planning;

/// <summary>Maps each logical node type to the factory of its physical operator.</summary>
internal sealed class NodeFactoryVisitor : ITransformationVisitor<NodeFactory>
{
    public NodeFactory VisitSource<T>(SourceTransformation<T> node) =>
        new SourceFactory<T>((output, wake) => new SourceOperator<T>(node.Source, node.Watermarks, output, wake));

    public NodeFactory VisitMap<TIn, TOut>(MapTransformation<TIn, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output => new MapOperator<TIn, TOut>(node.Map, output));

    public NodeFactory VisitFilter<T>(FilterTransformation<T> node) =>
        new OneInputFactory<T, T>(output => new FilterOperator<T>(node.Predicate, output));

    public NodeFactory VisitFlatMap<TIn, TOut>(FlatMapTransformation<TIn, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output => new FlatMapOperator<TIn, TOut>(node.FlatMap, output));

    public NodeFactory VisitProcess<TIn, TOut>(ProcessTransformation<TIn, TOut> node)
    {
        var copies = FunctionCopies.PerSubtask(node.Function);
        return new OneInputFactory<TIn, TOut>(output => new ProcessOperator<TIn, TOut>(copies(), output));
    }

    public NodeFactory VisitKeyedProcess<TKey, TIn, TOut>(KeyedProcessTransformation<TKey, TIn, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output => new KeyedProcessOperator<TKey, TIn, TOut>(node.Key.Selector, node.Key.Hasher, node.FunctionFactory(), output));

    public NodeFactory VisitWindow<TKey, TIn, TAcc, TOut>(WindowTransformation<TKey, TIn, TAcc, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output => node.Assigner switch
        {
            AlignedWindowAssigner aligned => new AlignedWindowOperator<TKey, TIn, TAcc, TOut>(
                aligned, node.AllowedLatenessMs, node.Key, node.Function, node.LateDataTag, output),
            SessionWindowAssigner session => new SessionWindowOperator<TKey, TIn, TAcc, TOut>(
                session, node.AllowedLatenessMs, node.Key, node.Function, node.LateDataTag, output),
            GlobalWindows global => new CountWindowOperator<TKey, TIn, TAcc, TOut>(global.Count, node.Key, node.Function, output),
            _ => throw new NotSupportedException($"Window assigner {node.Assigner.GetType().Name} is not supported."),
        });

    public NodeFactory VisitKeyedCoProcess<TKey, TIn1, TIn2, TOut>(KeyedCoProcessTransformation<TKey, TIn1, TIn2, TOut> node) =>
        new TwoInputFactory<TIn1, TIn2, TOut>(output => node.IntervalJoin is { } join
            ? new Joins.IntervalJoinOperator<TKey, TIn1, TIn2, TOut>(node.Key1.Selector, node.Key2.Selector, node.Key1.Hasher, join, output)
            : new KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut>(node.Key1.Selector, node.Key2.Selector, node.Key1.Hasher, node.FunctionFactory(), output));

    public NodeFactory VisitOperator<TIn, TOut>(OneInputOperatorTransformation<TIn, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output => new TransformOperator<TIn, TOut>(Created(node, node.OperatorFactory()), output));

    public NodeFactory VisitKeyedOperator<TKey, TIn, TOut>(KeyedOneInputOperatorTransformation<TKey, TIn, TOut> node) =>
        new OneInputFactory<TIn, TOut>(output =>
            new KeyedTransformOperator<TKey, TIn, TOut>(node.Key.Selector, node.Key.Hasher, Created(node, node.OperatorFactory()), output));

    public NodeFactory VisitKeyedTwoInputOperator<TKey, TIn1, TIn2, TOut>(KeyedTwoInputOperatorTransformation<TKey, TIn1, TIn2, TOut> node) =>
        new TwoInputFactory<TIn1, TIn2, TOut>(output =>
            new KeyedTwoInputTransformOperator<TKey, TIn1, TIn2, TOut>(node.Key1.Selector, node.Key2.Selector, node.Key1.Hasher, Created(node, node.OperatorFactory()), output));

    private static T Created<T>(Transformation node, T? op) where T : class =>
        op ?? throw new InvalidOperationException($"The operator factory of '{node.Name}' returned null; it must return a new operator on every call.");

    public NodeFactory VisitSink<T>(SinkTransformation<T> node) =>
        new OneInputFactory<T, T>(_ => new SinkOperator<T>(node.Sink)) { Committer = node.Sink as Sinks.ITwoPhaseCommitter };
}
