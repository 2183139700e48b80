using Sluice.Connectors;
using Sluice.Operators;
using Sluice.Schemas;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Runtime;

/// <summary>
/// What a <see cref="LookupJoinOperator"/> does: the left (probe) rows, how a left row's key is read, how a looked-up
/// table row becomes a right row, and the condition left over.
/// </summary>
/// <param name="Left">The left rows' schema.</param>
/// <param name="LeftKeys">The left key fields, by index into <paramref name="Left"/>, in the order of the lookup source's <see cref="ILookupSource.KeySchema"/>.</param>
/// <param name="TableSchema">The rows the lookup source returns (the table's columns).</param>
/// <param name="Right">The right rows' schema: what <see cref="RightProjection"/> makes of a table row.</param>
/// <param name="RightProjection">A table row → the right row.</param>
/// <param name="Output">The output schema: the left fields then the right fields (nullable for a LEFT join).</param>
/// <param name="LeftOuter">True for a LEFT join: a left row without a match is emitted padded with NULLs.</param>
internal sealed record LookupJoinSpec(Schema Left, int[] LeftKeys, Schema TableSchema, Schema Right, RowProjector RightProjection, Schema Output, bool LeftOuter)
{
    /// <summary>A filter over table rows applied before <see cref="RightProjection"/> (a condition on the right side alone), or null.</summary>
    public RowPredicate? RightFilter { get; init; }

    /// <summary>The residual join condition over <see cref="Output"/>'s layout (left fields then right fields), or null.</summary>
    public RowPredicate? Condition { get; init; }

    /// <summary>The session time zone and clock the expressions read.</summary>
    public SqlEvaluationContext EvaluationContext { get; init; } = SqlEvaluationContext.Default;
}

/// <summary>
/// Flink's processing-time lookup join (<c>JOIN dim FOR SYSTEM_TIME AS OF l.proc_time AS d ON l.k = d.k</c>): for each
/// left row, the rows of the table whose key columns equal the row's key, read from an <see cref="ILookupSource"/>
/// when the row arrives (synchronously, on the task thread), joined and emitted with the left row's kind and timestamp.
/// INNER emits one row per match; LEFT also a NULL-padded row when nothing matches. A later change of the table does
/// not change rows already emitted (as in Flink).
/// </summary>
/// <remarks>
/// <para>Stateless: nothing is checkpointed (a cache is the lookup source's, rebuilt after a restart). One lookup
/// source per subtask, created by the factory given to the constructor in <see cref="Open"/>, opened there and
/// disposed in <see cref="Close"/>. Retries and the PARTIAL cache are the source's (<see cref="LookupOptions.Apply"/>).</para>
/// <para>Failure: a lookup that still fails after its retries fails the job (an <see cref="IOException"/> naming the
/// table); a row whose expressions cannot be evaluated becomes a dead letter, as in <see cref="CalcOperator"/>. A left
/// row with a NULL key field matches nothing (SQL's <c>=</c>). Task thread only. Per record: the key row is reused; it
/// allocates one row per emitted result.</para>
/// </remarks>
internal sealed class LookupJoinOperator : OneInputStreamOperator<Row, Row>
{
    private readonly string _name;
    private readonly LookupJoinSpec _spec;
    private readonly Func<ILookupSource> _createSource;
    private readonly int _leftCount;
    private readonly Row _right;
    private ILookupSource? _source;
    private Row _key = null!;

    /// <summary>A lookup join named <paramref name="name"/> (in plans and dead letters).</summary>
    /// <param name="name">The operator's description.</param>
    /// <param name="spec">What to join.</param>
    /// <param name="createSource">Creates this subtask's (unopened) lookup source; called once, in <see cref="Open"/>.</param>
    public LookupJoinOperator(string name, LookupJoinSpec spec, Func<ILookupSource> createSource)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(createSource);
        if (spec.Output.Count != spec.Left.Count + spec.Right.Count)
        {
            throw new ArgumentException($"Lookup join '{name}': the output has {spec.Output.Count} fields, not the left's {spec.Left.Count} plus the right's {spec.Right.Count}.", nameof(spec));
        }
        _name = name;
        _spec = spec;
        _createSource = createSource;
        _leftCount = spec.Left.Count;
        _right = new Row(spec.Right);
    }

    /// <summary>Left rows read so far on this subtask that matched no table row.</summary>
    public long Misses { get; private set; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The lookup source's key or row schema does not fit the spec.</exception>
    /// <exception cref="IOException">The lookup source cannot connect.</exception>
    public override void Open()
    {
        _source = _createSource();
        if (_source.KeySchema.Count != _spec.LeftKeys.Length || _source.Schema.Count != _spec.TableSchema.Count)
        {
            throw new InvalidOperationException($"Lookup join '{_name}': the lookup source reads {_source.KeySchema.Count} key column(s) and returns {_source.Schema.Count} column(s), where the plan expects {_spec.LeftKeys.Length} and {_spec.TableSchema.Count}.");
        }
        _key = new Row(_source.KeySchema);
        _source.Open(new LookupContext(Context.SubtaskIndex, Context.Parallelism, Context.TimeProvider));
    }

    /// <inheritdoc />
    public override void ProcessElement(Row value, long timestamp)
    {
        var keys = _spec.LeftKeys;
        var nullKey = false;
        for (var i = 0; i < keys.Length; i++)
        {
            if (value.IsNull(keys[i]))
            {
                nullKey = true;
                break;
            }
            value.CopyFieldTo(keys[i], _key, i);
        }
        var matched = false;
        try
        {
            if (!nullKey)
            {
                var rows = _source!.Lookup(_key);
                for (var r = 0; r < rows.Count; r++)
                {
                    var row = rows[r];
                    if (_spec.RightFilter is { } filter && !filter(row, _spec.EvaluationContext))
                    {
                        continue;
                    }
                    _spec.RightProjection(row, _right, _spec.EvaluationContext);
                    var joined = new Row(_spec.Output) { Kind = value.Kind };
                    JoinRows.Fill(joined, value, _leftCount, _right);
                    if (_spec.Condition is { } condition && !condition(joined, _spec.EvaluationContext))
                    {
                        continue;
                    }
                    matched = true;
                    Output.Collect(joined, timestamp);
                }
            }
        }
        catch (SqlEvaluationException e)
        {
            Output.CollectSide(DeadLetters.Tag, new DeadLetter(_name, $"row at event time {timestamp}", e.Message, DeadLetters.Truncate(value.ToString()))
            {
                Kind = DeadLetterKind.Processing,
                Operator = _name,
                EventTime = timestamp,
            }, timestamp);
            return;
        }
        if (!matched)
        {
            Misses++;
            if (_spec.LeftOuter)
            {
                var padded = new Row(_spec.Output) { Kind = value.Kind };
                JoinRows.Fill(padded, value, _leftCount, null);
                Output.Collect(padded, timestamp);
            }
        }
    }

    /// <inheritdoc />
    public override void Close()
    {
        _source?.Dispose();
        _source = null;
    }
}
