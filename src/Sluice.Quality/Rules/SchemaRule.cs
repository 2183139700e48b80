using Sluice.Schemas;

namespace Sluice.Quality.Rules;

/// <summary>
/// schema: a row has the declared schema (the same fields, names and types; the same <see cref="Schema"/> instance is
/// the fast path) and no null in a NOT NULL column.
/// </summary>
internal sealed class SchemaRule : RecordRule<Row>
{
    private readonly Schema _schema;
    private readonly int[] _notNull;

    public SchemaRule(string name, Schema schema, RuleAction action) : base(name, null, RuleKind.Schema, action)
    {
        _schema = schema;
        var notNull = new List<int>();
        for (var i = 0; i < schema.Count; i++)
        {
            if (!schema[i].Type.IsNullable)
            {
                notNull.Add(i);
            }
        }
        _notNull = [.. notNull];
    }

    public override string Describe() => $"schema {_schema}";

    public override RecordCheck<Row> CreateCheck() => new SchemaCheck(this);

    private CheckOutcome Judge(Row value)
    {
        if (!ReferenceEquals(value.Schema, _schema) && !value.Schema.Equals(_schema))
        {
            return CheckOutcome.Fail;
        }
        foreach (var index in _notNull)
        {
            if (value.IsNull(index))
            {
                return CheckOutcome.Fail;
            }
        }
        return CheckOutcome.Pass;
    }

    private string Explain(Row value)
    {
        if (!value.Schema.Equals(_schema))
        {
            return $"the row's schema {value.Schema} differs from the declared {_schema}";
        }
        foreach (var index in _notNull)
        {
            if (value.IsNull(index))
            {
                return $"NOT NULL column '{_schema[index].Name}' is null";
            }
        }
        return "the row does not conform";
    }

    /// <summary>The field at fault for a failed row (the first null NOT NULL column), or null for a whole-row mismatch.</summary>
    public override string? FieldPathOf(Row value)
    {
        if (!value.Schema.Equals(_schema))
        {
            return null;
        }
        foreach (var index in _notNull)
        {
            if (value.IsNull(index))
            {
                return _schema[index].Name;
            }
        }
        return null;
    }

    private sealed class SchemaCheck(SchemaRule rule) : RecordCheck<Row>
    {
        public override CheckOutcome Check(Row value, long timestamp) => rule.Judge(value);

        public override string Explain(Row value, CheckOutcome outcome) => rule.Explain(value);
    }
}
