namespace Sluice.Graph;

/// <summary>
/// A node of the logical job graph built by the DataStream API. The planner turns non-virtual nodes into physical
/// operators; virtual nodes (<see cref="UnionTransformation{T}"/>, <see cref="SideOutputTransformation{T}"/>) only
/// shape edges. Mutable only while the job is being built.
/// </summary>
internal abstract class Transformation
{
    private static int s_nextId;

    private protected Transformation(string name)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Name = name;
    }

    /// <summary>Unique id within the process; orders nodes deterministically.</summary>
    public int Id { get; }

    /// <summary>Display name used in errors, metrics and plans.</summary>
    public string Name { get; internal set; }

    /// <summary>
    /// A stable id of the operator for checkpoints, set with <c>Uid(...)</c>; null uses the operator's position and
    /// name in the plan, which stays stable as long as the job's graph does not change.
    /// </summary>
    public string? Uid { get; internal set; }

    /// <summary>Explicit parallelism, or 0 to use the job's default.</summary>
    public int Parallelism { get; internal set; }

    /// <summary>The largest parallelism the node supports (non-parallel sources: 1); 0 = unlimited.</summary>
    public virtual int MaxParallelism => 0;

    /// <summary>True for nodes that run no operator (unions, side outputs): they only shape edges.</summary>
    public virtual bool IsVirtual => false;

    /// <summary>For a side-output node, the id of the tag it selects; null otherwise.</summary>
    public virtual string? SideOutputId => null;

    /// <summary>
    /// The connector object the node holds (a source or a sink), or null: the runtime disposes it once the job has
    /// ended, when it is <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/>.
    /// </summary>
    public virtual object? Connector => null;

    /// <summary>True for a source whose input ends (<c>ISource.IsBounded</c>); false for every other node.</summary>
    public virtual bool IsBoundedSource => false;

    /// <summary>The type of the node's main output.</summary>
    public abstract Type OutputType { get; }

    /// <summary>The node's inputs in order (index 0 = first input of a two-input operator).</summary>
    public abstract IReadOnlyList<StreamInput> Inputs { get; }

    /// <summary>Double dispatch into the planner with the node's type arguments bound.</summary>
    public abstract TResult Accept<TResult>(ITransformationVisitor<TResult> visitor);

    /// <inheritdoc />
    public override string ToString() => $"{Name}#{Id}";
}

/// <summary>A node whose main output has record type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">Output record type.</typeparam>
internal abstract class Transformation<T> : Transformation
{
    private protected Transformation(string name) : base(name) { }

    /// <inheritdoc />
    public sealed override Type OutputType => typeof(T);
}

/// <summary>
/// One input edge of a node: the upstream node (possibly virtual) and, for keyed inputs, how records are routed to
/// subtasks by key group.
/// </summary>
/// <param name="Upstream">The node whose output feeds this input.</param>
/// <param name="Key">The key partitioning, or null for forward/rebalance.</param>
internal sealed record StreamInput(Transformation Upstream, KeySpec? Key);
