using Sluice.Graph;
using Sluice.Plans;

namespace Sluice.Runtime.Planning;

/// <summary>The <see cref="OperatorKind"/> of a node type (a visitor, so a new node type cannot be forgotten here).</summary>
internal sealed class OperatorKindVisitor : ITransformationVisitor<OperatorKind>
{
    public static readonly OperatorKindVisitor Instance = new();

    private OperatorKindVisitor()
    {
    }

    public OperatorKind VisitSource<T>(SourceTransformation<T> node) => OperatorKind.Source;

    public OperatorKind VisitMap<TIn, TOut>(MapTransformation<TIn, TOut> node) => OperatorKind.Map;

    public OperatorKind VisitFilter<T>(FilterTransformation<T> node) => OperatorKind.Filter;

    public OperatorKind VisitFlatMap<TIn, TOut>(FlatMapTransformation<TIn, TOut> node) => OperatorKind.FlatMap;

    public OperatorKind VisitProcess<TIn, TOut>(ProcessTransformation<TIn, TOut> node) => OperatorKind.Process;

    public OperatorKind VisitKeyedProcess<TKey, TIn, TOut>(KeyedProcessTransformation<TKey, TIn, TOut> node) => OperatorKind.KeyedProcess;

    public OperatorKind VisitWindow<TKey, TIn, TAcc, TOut>(WindowTransformation<TKey, TIn, TAcc, TOut> node) => OperatorKind.Window;

    public OperatorKind VisitKeyedCoProcess<TKey, TIn1, TIn2, TOut>(KeyedCoProcessTransformation<TKey, TIn1, TIn2, TOut> node) => OperatorKind.KeyedCoProcess;

    public OperatorKind VisitSink<T>(SinkTransformation<T> node) => OperatorKind.Sink;

    public OperatorKind VisitOperator<TIn, TOut>(OneInputOperatorTransformation<TIn, TOut> node) => OperatorKind.Transform;

    public OperatorKind VisitKeyedOperator<TKey, TIn, TOut>(KeyedOneInputOperatorTransformation<TKey, TIn, TOut> node) => OperatorKind.KeyedTransform;

    public OperatorKind VisitKeyedTwoInputOperator<TKey, TIn1, TIn2, TOut>(KeyedTwoInputOperatorTransformation<TKey, TIn1, TIn2, TOut> node) =>
        OperatorKind.KeyedTwoInputTransform;
}
