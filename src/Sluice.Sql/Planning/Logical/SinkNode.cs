using System.Text;
using Sluice.Schemas;
using Sluice.Sql.Catalog;
using Sluice.Sql.Expressions;

namespace Sluice.Sql.Planning;

/// <summary>
/// Writes its input into a catalog table (<c>INSERT INTO</c>). <see cref="Columns"/> holds one expression over the
/// input per column of the table's <see cref="CatalogTable.PersistedSchema"/> (the query's value cast implicitly to the
/// column's type, or a NULL of the column's type for a column the INSERT does not name). Built only after the check
/// that the sink accepts the input's changelog (<see cref="SinkMode"/>), so an updating query into an append-only sink
/// never becomes a plan. Its own changelog is its input's.
/// </summary>
internal sealed class SinkNode : LogicalNode
{
    /// <summary>Creates the node.</summary>
    /// <param name="input">The query.</param>
    /// <param name="table">The target table.</param>
    /// <param name="columns">One expression over the input per field of the table's persisted schema.</param>
    /// <param name="sinkMode">What the table's connector accepts.</param>
    /// <exception cref="SqlException">The sink cannot take the input's changelog; the message names the table and the operator producing the updates.</exception>
    public SinkNode(LogicalNode input, CatalogTable table, IReadOnlyList<BoundExpression> columns, ChangelogMode sinkMode)
        : base(table.PersistedSchema(), new TimeAttributeKind[table.PersistedSchema().Count])
    {
        if (!sinkMode.Accepts(input.Changelog))
        {
            throw new SqlException(
                $"Table sink '{table.Name}' accepts only inserts, but {input.UpdateProducer?.Describe() ?? input.Describe()} produces updates; write into a table whose connector takes updates (an upsert sink with a PRIMARY KEY), or make the query append-only.");
        }

        Input = input;
        Table = table;
        Columns = columns;
        SinkMode = sinkMode;
    }

    /// <summary>The query written.</summary>
    public LogicalNode Input { get; }

    /// <summary>The target table.</summary>
    public CatalogTable Table { get; }

    /// <summary>One expression over the input per field of <see cref="LogicalNode.Schema"/> (the table's persisted schema).</summary>
    public IReadOnlyList<BoundExpression> Columns { get; }

    /// <summary>The changelog the table's connector accepts.</summary>
    public ChangelogMode SinkMode { get; }

    /// <summary>The table's CHECK constraints with their conditions bound over <see cref="LogicalNode.Schema"/>; empty when none.</summary>
    public IReadOnlyList<(CheckSpec Spec, BoundExpression Condition)> Checks { get; init; } = [];

    /// <summary>The table's data contract (option <c>'contract'</c>), loaded and checked against the table when planned; null when none.</summary>
    public Sluice.Quality.DataContract? Contract { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<LogicalNode> Inputs => [Input];

    /// <inheritdoc />
    public override ChangelogMode Changelog => Input.Changelog;

    /// <inheritdoc />
    public override LogicalNode? UpdateProducer => Input.UpdateProducer;

    /// <inheritdoc />
    public override string Name => "Sink";

    /// <inheritdoc />
    public override string Describe()
    {
        var text = new StringBuilder($"{Name}(table=[{Table.Name}], fields=[");
        for (var i = 0; i < Columns.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Columns[i]);
            if (Columns[i] is not InputReference reference || reference.Name != Schema[i].Name)
            {
                text.Append(" AS ").Append(Schema.QuoteName(Schema[i].Name));
            }
        }

        return text.Append("])").ToString();
    }

    /// <inheritdoc />
    public override LogicalNode WithInputs(IReadOnlyList<LogicalNode> inputs) => new SinkNode(inputs[0], Table, Columns, SinkMode) { Checks = Checks, Contract = Contract };
}

/// <summary>The sinks of a statement set (or of one INSERT): planned as one job. Immutable.</summary>
/// <param name="Sinks">The sinks, in statement order.</param>
internal sealed record StatementSet(IReadOnlyList<SinkNode> Sinks);
