using Sluice.Schemas;

namespace Sluice.Quality.Rules;

/// <summary>
/// schema, as a <see cref="DataContract"/> states it: the columns the contract declares <c>nullable: false</c> hold a
/// value. (Their names and types were checked against the rows' schema when the contract was applied, so only the
/// nulls are judged per row.)
/// </summary>
internal sealed class ContractSchemaRule : RecordRule<Row>
{
    private readonly DataContract _contract;
    private readonly Schema _schema;
    private readonly int[] _notNull;

    public ContractSchemaRule(string name, DataContract contract, Schema schema, int[] notNull) : base(name, null, RuleKind.Schema, RuleAction.DeadLetter)
    {
        _contract = contract;
        _schema = schema;
        _notNull = notNull;
    }

    public override string Describe() => $"schema of contract '{_contract.Name}' version {_contract.Version}";

    public override RecordCheck<Row> CreateCheck() => new SchemaCheck(this);

    private CheckOutcome Judge(Row value)
    {
        foreach (var index in _notNull)
        {
            if (value.IsNull(index))
            {
                return CheckOutcome.Fail;
            }
        }
        return CheckOutcome.Pass;
    }

    private string Explain(Row value) =>
        FieldPathOf(value) is { } column ? $"field '{column}' is null, but the contract declares it nullable: false" : "the row does not conform";

    /// <summary>The first contract NOT NULL column that is null.</summary>
    public override string? FieldPathOf(Row value)
    {
        foreach (var index in _notNull)
        {
            if (value.IsNull(index))
            {
                return _schema[index].Name;
            }
        }
        return null;
    }

    private sealed class SchemaCheck(ContractSchemaRule rule) : RecordCheck<Row>
    {
        public override CheckOutcome Check(Row value, long timestamp) => rule.Judge(value);

        public override string Explain(Row value, CheckOutcome outcome) => rule.Explain(value);
    }
}
