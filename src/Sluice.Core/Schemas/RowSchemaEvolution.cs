using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Sluice.Schemas;

/// <summary>
/// One sink writer's side of schema evolution (<see cref="SchemaEvolutionMode.AddColumns"/>), shared by the table sinks
/// (DuckDB, Parquet lake, PostgreSQL): the layout the writer stages rows in, widened when rows bring new nullable columns,
/// and the rows refused as incompatible, kept as dead letters until the writer stages them with its checkpoint. Each
/// incoming row costs a reference compare while its schema is the layout's; a plan is looked up (cached per schema pair)
/// only when it is not. The sink applies the widened layout to its table itself, inside its commit transaction.
/// </summary>
/// <remarks>Not thread-safe: one per writer, used on the writer's thread.</remarks>
public sealed class RowSchemaEvolution
{
    private static readonly Counter<long> s_changes = SluiceMetrics.Meter.CreateCounter<long>("sluice.sink.schema_changes", "{change}",
        "Times a sink writer widened its table layout for rows of a new schema (columns added), tagged table.");

    private static readonly Counter<long> s_deadLetters = SluiceMetrics.Meter.CreateCounter<long>("sluice.sink.dead_letters", "{record}",
        "Rows a sink routed to its dead-letter output because their schema is incompatible with the table, tagged table.");

    private readonly SchemaEvolutionPlanCache _plans = new();
    private readonly IncompatibleSchemaAction _onIncompatible;
    private readonly string _sink;
    private readonly string _operatorName;
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly string[] _reservedColumns;
    private Row _scratch;

    /// <summary>Starts from the sink's schema.</summary>
    /// <param name="initial">The sink's table schema: the layout until rows widen it.</param>
    /// <param name="onIncompatible">Fail, or collect dead letters.</param>
    /// <param name="sink">The sink as errors name it: <c>The DuckDB sink of table 'orders' in '/w.duckdb'</c>.</param>
    /// <param name="table">The table name, the <c>table</c> tag of the metrics.</param>
    /// <param name="operatorName">The sink operator's name: a dead letter's source.</param>
    /// <param name="reservedColumns">Names a new column may not take (the lake's partition columns): rows adding one are refused.</param>
    public RowSchemaEvolution(Schema initial, IncompatibleSchemaAction onIncompatible, string sink, string table, string operatorName, params string[] reservedColumns)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentException.ThrowIfNullOrEmpty(sink);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(operatorName);
        _reservedColumns = reservedColumns ?? [];
        Current = initial;
        _onIncompatible = onIncompatible;
        _sink = sink;
        _operatorName = operatorName;
        _scratch = new Row(initial);
        _tags = [new("table", table)];
    }

    /// <summary>The layout rows are staged in: the sink's schema, widened by every compatible change seen so far.</summary>
    public Schema Current { get; private set; }

    /// <summary>Rows refused since the last <see cref="TakeDeadLetters"/>.</summary>
    public int DeadLetterCount => _deadLetters.Count;

    /// <summary>
    /// The row to stage for <paramref name="value"/>: itself when its schema is the layout's, else its projection onto
    /// the layout (a scratch row reused by the next call); null when the row was refused and went to the dead letters.
    /// <paramref name="widening"/> is the plan that grew <see cref="Current"/> first (the caller re-lays its staging and
    /// logs the plan), or null when the layout is unchanged.
    /// </summary>
    /// <exception cref="InvalidDataException">The row's schema is incompatible and the action is <see cref="IncompatibleSchemaAction.Fail"/>:
    /// one sentence naming the sink, the field, the change and the schema's origin (subject, version, id).</exception>
    public Row? Admit(Row value, long timestamp, out SchemaEvolutionPlan? widening)
    {
        ArgumentNullException.ThrowIfNull(value);
        widening = null;
        if (ReferenceEquals(value.Schema, Current))
        {
            return value;
        }
        var plan = _plans.Get(Current, value.Schema);
        if (plan.Kind == SchemaChangeKind.Incompatible)
        {
            Refuse(plan.Reason!, plan.Field, value, timestamp);
            return null;
        }
        if (plan.ChangesTable)
        {
            foreach (var column in plan.AddedColumns)
            {
                if (Array.IndexOf(_reservedColumns, column.Name) >= 0)
                {
                    Refuse($"The new field '{column.Name}' of {SchemaEvolutionPlan.DescribeRows(value.Schema)} has the name of a partition column of the lake; rename it", column.Name, value, timestamp);
                    return null;
                }
            }
            widening = plan;
            Current = plan.Evolved;
            _scratch = new Row(plan.Evolved);
            s_changes.Add(1, _tags);
            plan = _plans.Get(Current, value.Schema);
        }
        if (plan.Kind == SchemaChangeKind.Identical)
        {
            return value;
        }
        plan.Project(value, _scratch);
        return _scratch;
    }

    /// <summary>The dead letters collected since the last call, in write order; the list is emptied.</summary>
    public DeadLetter[] TakeDeadLetters()
    {
        var letters = _deadLetters.ToArray();
        _deadLetters.Clear();
        return letters;
    }

    /// <summary>Forgets the dead letters (their rows belong to a checkpoint that will never complete).</summary>
    public void DiscardDeadLetters() => _deadLetters.Clear();

    private void Refuse(string planReason, string? field, Row value, long timestamp)
    {
        var reason = $"{_sink} cannot write the row: {planReason}.";
        if (_onIncompatible == IncompatibleSchemaAction.Fail)
        {
            ThrowIncompatible(reason);
        }
        _deadLetters.Add(new DeadLetter(_operatorName, $"row at event time {timestamp}", reason, DeadLetters.Truncate(value.ToString()), field)
        {
            Kind = DeadLetterKind.Schema,
            Operator = _operatorName,
            EventTime = timestamp,
        });
        s_deadLetters.Add(1, _tags);
    }

    [DoesNotReturn]
    private static void ThrowIncompatible(string reason) =>
        throw new InvalidDataException(reason + " Nothing of the row was written; make the change compatible (a new nullable column), or set the sink's incompatible-schema action to dead-letter.");
}
