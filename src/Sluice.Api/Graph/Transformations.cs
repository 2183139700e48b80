using Sluice.Operators;
using Sluice.Sinks;
using Sluice.Sources;
using Sluice.Windowing;

namespace Sluice.Graph;

/// <summary>Visits the non-virtual node types with their type arguments bound (the planner implements it).</summary>
/// <typeparam name="TResult">What a visit produces.</typeparam>
internal interface ITransformationVisitor<out TResult>
{
    /// <summary>Visits a source.</summary>
    TResult VisitSource<T>(SourceTransformation<T> node);

    /// <summary>Visits a map.</summary>
    TResult VisitMap<TIn, TOut>(MapTransformation<TIn, TOut> node);

    /// <summary>Visits a filter.</summary>
    TResult VisitFilter<T>(FilterTransformation<T> node);

    /// <summary>Visits a flat map.</summary>
    TResult VisitFlatMap<TIn, TOut>(FlatMapTransformation<TIn, TOut> node);

    /// <summary>Visits a non-keyed process function.</summary>
    TResult VisitProcess<TIn, TOut>(ProcessTransformation<TIn, TOut> node);

    /// <summary>Visits a keyed process function.</summary>
    TResult VisitKeyedProcess<TKey, TIn, TOut>(KeyedProcessTransformation<TKey, TIn, TOut> node);

    /// <summary>Visits a keyed window.</summary>
    TResult VisitWindow<TKey, TIn, TAcc, TOut>(WindowTransformation<TKey, TIn, TAcc, TOut> node);

    /// <summary>Visits a keyed two-input process function.</summary>
    TResult VisitKeyedCoProcess<TKey, TIn1, TIn2, TOut>(KeyedCoProcessTransformation<TKey, TIn1, TIn2, TOut> node);

    /// <summary>Visits a sink.</summary>
    TResult VisitSink<T>(SinkTransformation<T> node);

    /// <summary>Visits an operator added with <c>Transform</c> (the planner calls its factory per subtask).</summary>
    TResult VisitOperator<TIn, TOut>(OneInputOperatorTransformation<TIn, TOut> node);

    /// <summary>Visits a keyed operator added with <c>KeyedStream.Transform</c>.</summary>
    TResult VisitKeyedOperator<TKey, TIn, TOut>(KeyedOneInputOperatorTransformation<TKey, TIn, TOut> node);

    /// <summary>Visits a keyed two-input operator added with <c>ConnectedKeyedStreams.Transform</c>.</summary>
    TResult VisitKeyedTwoInputOperator<TKey, TIn1, TIn2, TOut>(KeyedTwoInputOperatorTransformation<TKey, TIn1, TIn2, TOut> node);
}

/// <summary>A source of records with its watermark strategy.</summary>
/// <typeparam name="T">Record type.</typeparam>
internal sealed class SourceTransformation<T>(string name, ISource<T> source, WatermarkStrategy<T> watermarks) : Transformation<T>(name)
{
    /// <summary>The source.</summary>
    public ISource<T> Source { get; } = source;

    /// <summary>Timestamps and watermarks.</summary>
    public WatermarkStrategy<T> Watermarks { get; } = watermarks;

    /// <inheritdoc />
    public override int MaxParallelism => Source.MaxParallelism;

    /// <inheritdoc />
    public override object? Connector => Source;

    /// <inheritdoc />
    public override bool IsBoundedSource => Source.IsBounded;

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs => [];

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitSource(this);
}

/// <summary>Base of single-input nodes.</summary>
/// <typeparam name="TIn">Input record type.</typeparam>
/// <typeparam name="TOut">Output record type.</typeparam>
internal abstract class OneInputTransformation<TIn, TOut> : Transformation<TOut>
{
    private protected OneInputTransformation(string name, StreamInput input) : base(name) => Inputs = [input];

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; }

    /// <summary>The single input.</summary>
    public StreamInput Input => Inputs[0];
}

/// <summary>One output record per input record.</summary>
internal sealed class MapTransformation<TIn, TOut>(string name, StreamInput input, Func<TIn, TOut> map) : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The function.</summary>
    public Func<TIn, TOut> Map { get; } = map;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitMap(this);
}

/// <summary>Keeps the records the predicate accepts.</summary>
internal sealed class FilterTransformation<T>(string name, StreamInput input, Func<T, bool> predicate) : OneInputTransformation<T, T>(name, input)
{
    /// <summary>The predicate.</summary>
    public Func<T, bool> Predicate { get; } = predicate;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitFilter(this);
}

/// <summary>Zero or more output records per input record.</summary>
internal sealed class FlatMapTransformation<TIn, TOut>(string name, StreamInput input, Action<TIn, ICollector<TOut>> flatMap) : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The function.</summary>
    public Action<TIn, ICollector<TOut>> FlatMap { get; } = flatMap;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitFlatMap(this);
}

/// <summary>A process function over a non-keyed stream.</summary>
internal sealed class ProcessTransformation<TIn, TOut>(string name, StreamInput input, ProcessFunction<TIn, TOut> function) : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The function (instantiated per subtask by cloning is not done: it must be safe to share or be stateless).</summary>
    public ProcessFunction<TIn, TOut> Function { get; } = function;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitProcess(this);
}

/// <summary>A keyed process function; <see cref="FunctionFactory"/> makes one instance per subtask.</summary>
internal sealed class KeyedProcessTransformation<TKey, TIn, TOut>(string name, StreamInput input, KeySpec<TIn, TKey> key, Func<KeyedProcessFunction<TKey, TIn, TOut>> functionFactory)
    : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The key of each record.</summary>
    public KeySpec<TIn, TKey> Key { get; } = key;

    /// <summary>Creates the function for one subtask.</summary>
    public Func<KeyedProcessFunction<TKey, TIn, TOut>> FunctionFactory { get; } = functionFactory;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitKeyedProcess(this);
}

/// <summary>
/// An operator given by a factory (<see cref="DataStream{T}.Transform{TOut}"/>): the open end of the graph. The
/// planner needs no node type per operator — it calls <see cref="OperatorFactory"/> once per subtask and attempt.
/// </summary>
internal sealed class OneInputOperatorTransformation<TIn, TOut>(string name, StreamInput input, Func<OneInputStreamOperator<TIn, TOut>> operatorFactory)
    : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>Creates a fresh operator for one subtask; called on the thread that builds the job's tasks.</summary>
    public Func<OneInputStreamOperator<TIn, TOut>> OperatorFactory { get; } = operatorFactory;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitOperator(this);
}

/// <summary>A keyed operator given by a factory (<see cref="KeyedStream{TKey, T}.Transform{TOut}"/>).</summary>
internal sealed class KeyedOneInputOperatorTransformation<TKey, TIn, TOut>(
    string name, StreamInput input, KeySpec<TIn, TKey> key, Func<KeyedOneInputStreamOperator<TKey, TIn, TOut>> operatorFactory)
    : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The key of each record.</summary>
    public KeySpec<TIn, TKey> Key { get; } = key;

    /// <summary>Creates a fresh operator for one subtask; called on the thread that builds the job's tasks.</summary>
    public Func<KeyedOneInputStreamOperator<TKey, TIn, TOut>> OperatorFactory { get; } = operatorFactory;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitKeyedOperator(this);
}

/// <summary>A keyed two-input operator given by a factory (<see cref="ConnectedKeyedStreams{TKey, T1, T2}.Transform{TOut}"/>).</summary>
internal sealed class KeyedTwoInputOperatorTransformation<TKey, TIn1, TIn2, TOut> : Transformation<TOut>
{
    /// <summary>Creates the node.</summary>
    public KeyedTwoInputOperatorTransformation(string name, StreamInput input1, KeySpec<TIn1, TKey> key1, StreamInput input2, KeySpec<TIn2, TKey> key2,
        Func<KeyedTwoInputStreamOperator<TKey, TIn1, TIn2, TOut>> operatorFactory) : base(name)
    {
        Inputs = [input1, input2];
        Key1 = key1;
        Key2 = key2;
        OperatorFactory = operatorFactory;
    }

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; }

    /// <summary>Key of the first input.</summary>
    public KeySpec<TIn1, TKey> Key1 { get; }

    /// <summary>Key of the second input.</summary>
    public KeySpec<TIn2, TKey> Key2 { get; }

    /// <summary>Creates a fresh operator for one subtask; called on the thread that builds the job's tasks.</summary>
    public Func<KeyedTwoInputStreamOperator<TKey, TIn1, TIn2, TOut>> OperatorFactory { get; }

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitKeyedTwoInputOperator(this);
}

/// <summary>A keyed window with its assigner, lateness policy and window function.</summary>
internal sealed class WindowTransformation<TKey, TIn, TAcc, TOut>(
    string name, StreamInput input, KeySpec<TIn, TKey> key, WindowAssigner assigner, long allowedLatenessMs,
    OutputTag<TIn>? lateDataTag, WindowFunction<TKey, TIn, TAcc, TOut> function) : OneInputTransformation<TIn, TOut>(name, input)
{
    /// <summary>The key of each record.</summary>
    public KeySpec<TIn, TKey> Key { get; } = key;

    /// <summary>Which windows a record belongs to.</summary>
    public WindowAssigner Assigner { get; } = assigner;

    /// <summary>How long (ms of event time) after a window fires its state is kept for late records, which re-fire it.</summary>
    public long AllowedLatenessMs { get; } = allowedLatenessMs;

    /// <summary>Where records too late for every window go; null counts them as dropped late records.</summary>
    public OutputTag<TIn>? LateDataTag { get; } = lateDataTag;

    /// <summary>Accumulation and result.</summary>
    public WindowFunction<TKey, TIn, TAcc, TOut> Function { get; } = function;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitWindow(this);
}

/// <summary>A keyed two-input process function over streams connected by the same key type.</summary>
internal sealed class KeyedCoProcessTransformation<TKey, TIn1, TIn2, TOut> : Transformation<TOut>
{
    /// <summary>Creates the node.</summary>
    public KeyedCoProcessTransformation(string name, StreamInput input1, KeySpec<TIn1, TKey> key1, StreamInput input2, KeySpec<TIn2, TKey> key2,
        Func<KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut>> functionFactory) : base(name)
    {
        Inputs = [input1, input2];
        Key1 = key1;
        Key2 = key2;
        FunctionFactory = functionFactory;
    }

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; }

    /// <summary>Key of the first input.</summary>
    public KeySpec<TIn1, TKey> Key1 { get; }

    /// <summary>Key of the second input.</summary>
    public KeySpec<TIn2, TKey> Key2 { get; }

    /// <summary>Creates the function for one subtask.</summary>
    public Func<KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut>> FunctionFactory { get; }

    /// <summary>Set for an interval join: the node runs the built-in interval join operator, not a function.</summary>
    internal IntervalJoinSpec<TIn1, TIn2, TOut>? IntervalJoin { get; init; }

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitKeyedCoProcess(this);
}

/// <summary>A terminal node writing records to a sink.</summary>
internal sealed class SinkTransformation<T>(string name, StreamInput input, ISink<T> sink) : Transformation<T>(name)
{
    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; } = [input];

    /// <summary>The sink.</summary>
    public ISink<T> Sink { get; } = sink;

    /// <inheritdoc />
    public override int MaxParallelism => Sink.MaxParallelism;

    /// <inheritdoc />
    public override object? Connector => Sink;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) => visitor.VisitSink(this);
}

/// <summary>Virtual: the union of streams of one type (no operator; the consumer reads all inputs).</summary>
internal sealed class UnionTransformation<T>(IReadOnlyList<StreamInput> inputs) : Transformation<T>("Union")
{
    /// <inheritdoc />
    public override bool IsVirtual => true;

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; } = inputs;

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) =>
        throw new InvalidOperationException("A union is virtual and has no operator.");
}

/// <summary>Virtual: the side output <see cref="Tag"/> of <see cref="Parent"/>.</summary>
internal sealed class SideOutputTransformation<T>(Transformation parent, OutputTag<T> tag) : Transformation<T>($"{parent.Name}[{tag.Id}]")
{
    /// <summary>The node that emits the side output.</summary>
    public Transformation Parent { get; } = parent;

    /// <summary>The side output.</summary>
    public OutputTag<T> Tag { get; } = tag;

    /// <inheritdoc />
    public override bool IsVirtual => true;

    /// <inheritdoc />
    public override string? SideOutputId => Tag.Id;

    /// <inheritdoc />
    public override IReadOnlyList<StreamInput> Inputs { get; } = [new StreamInput(parent, null)];

    /// <inheritdoc />
    public override TResult Accept<TResult>(ITransformationVisitor<TResult> visitor) =>
        throw new InvalidOperationException("A side output is virtual and has no operator.");
}
