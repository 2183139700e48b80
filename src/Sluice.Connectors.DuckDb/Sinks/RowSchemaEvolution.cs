using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Sluice.Schemas;

namespace Sluice.Connectors.DuckDb.Sinks;

/// <summary>
/// One writer's side of schema evolution (<see cref="SchemaEvolutionMode.AddColumns"/>): the table layout it stages rows
/// in, widened when rows bring new nullable columns, and the rows refused as incompatible when they go to the dead-letter
/// output. Each incoming row costs a reference compare while its schema is the layout's; a plan is looked up (cached per
/// schema pair) only when it is not. Single-threaded (the writer's thread).
/// </summary>
internal sealed partial class RowSchemaEvolution
{
    private static readonly Counter<long> s_changes = SluiceMetrics.Meter.CreateCounter<long>("sluice.sink.schema_changes", "{change}",
        "Times a sink writer widened its table layout for rows of a new schema (columns added), tagged table.");

    private static readonly Counter<long> s_deadLetters = SluiceMetrics.Meter.CreateCounter<long>("sluice.sink.dead_letters", "{record}",
        "Rows a sink routed to its dead-letter output because their schema is incompatible with the table, tagged table.");

    private readonly SchemaEvolutionPlanCache _plans = new();
    private readonly IncompatibleSchemaAction _onIncompatible;
    private readonly string _sink;
    private readonly string _table;
    private readonly string _operatorName;
    private readonly ILogger _logger;
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly string[] _reservedColumns;
    private Row _scratch;

    /// <summary>Starts from the sink's layout.</summary>
    /// <param name="initial">The sink's table layout.</param>
    /// <param name="onIncompatible">Fail, or collect dead letters.</param>
    /// <param name="sink">The sink as errors name it: <c>The DuckDB sink of table 'orders' in '/w.duckdb'</c>.</param>
    /// <param name="table">The table name, for metrics and logs.</param>
    /// <param name="operatorName">The sink operator's name: a dead letter's source.</param>
    /// <param name="logger">Where each evolution is logged (one line: table, added columns, origin).</param>
    /// <param name="reservedColumns">Names a new column may not take (the lake's partition columns): rows adding one are refused.</param>
    public RowSchemaEvolution(TableSchema<Row> initial, IncompatibleSchemaAction onIncompatible, string sink, string table, string operatorName, ILogger logger, params string[] reservedColumns)
    {
        _reservedColumns = reservedColumns;
        Current = initial;
        _onIncompatible = onIncompatible;
        _sink = sink;
        _table = table;
        _operatorName = operatorName;
        _logger = logger;
        _scratch = new Row(initial.Schema);
        _tags = [new("table", table)];
    }

    /// <summary>The layout rows are staged in: the sink's, widened by every compatible change seen so far.</summary>
    public TableSchema<Row> Current { get; private set; }

    /// <summary>Rows refused since the last <see cref="TakeDeadLetters"/>.</summary>
    public int DeadLetterCount => _deadLetters.Count;

    /// <summary>
    /// The row to stage for <paramref name="value"/>: itself when its schema is the layout's, else its projection onto
    /// the layout (a scratch row reused by the next call); null when the row was refused and went to the dead letters.
    /// <paramref name="widened"/> is true when <see cref="Current"/> grew first (the caller re-lays its staging).
    /// </summary>
    /// <exception cref="InvalidDataException">The row's schema is incompatible and the action is <see cref="IncompatibleSchemaAction.Fail"/>:
    /// one sentence naming the sink, the field, the change and the schema's origin.</exception>
    public Row? Admit(Row value, long timestamp, out bool widened)
    {
        widened = false;
        if (ReferenceEquals(value.Schema, Current.Schema))
        {
            return value;
        }
        var plan = _plans.Get(Current.Schema, value.Schema);
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
                    Refuse($"The new field '{column.Name}' of {(value.Schema.Origin is { } origin ? $"rows of {origin}" : $"rows of {value.Schema}")} has the name of a partition column of the lake; rename it", column.Name, value, timestamp);
                    return null;
                }
            }
            Current = TableSchema.ForRows(plan.Evolved);
            _scratch = new Row(plan.Evolved);
            widened = true;
            s_changes.Add(1, _tags);
            LogEvolution(_logger, _table, _operatorName, plan.ToString(), value.Schema.Origin ?? "a schema without origin");
            plan = _plans.Get(Current.Schema, value.Schema);
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

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Schema evolution of table '{Table}' ({Sink}): {Change}, for rows of {Origin}.")]
    private static partial void LogEvolution(ILogger logger, string table, string sink, string change, string origin);
}
