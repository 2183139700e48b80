using System.Globalization;
using Sluice.Schemas;

namespace Sluice.Quality;

/// <summary>
/// One rule of a <see cref="DataContract"/>: a rule kind with its parameters as the file gives them (converted to the
/// column's type when the contract is applied). Immutable.
/// </summary>
public sealed class DataContractRule
{
    internal DataContractRule(string name, RuleKind kind, string? field, RuleAction action, int line, IReadOnlyDictionary<string, ContractValue> parameters)
    {
        Name = name;
        Kind = kind;
        Field = field;
        Action = action;
        Line = line;
        Parameters = parameters;
    }

    /// <summary>The rule's name (<c>name:</c>), unique in the contract; it names metrics and dead letters.</summary>
    public string Name { get; }

    /// <summary>The rule's kind (<c>kind:</c> <c>not_null</c>, <c>range</c>, <c>regex</c>, <c>accepted_values</c>, <c>unique</c>, <c>freshness</c> or <c>volume</c>).</summary>
    public RuleKind Kind { get; }

    /// <summary>The field it reads (<c>field:</c>), or null for a stream rule (freshness, volume).</summary>
    public string? Field { get; }

    /// <summary>What happens to a record it refuses (<c>action:</c> <c>dlq</c>, <c>drop</c>, <c>warn</c> or <c>fail</c>).</summary>
    public RuleAction Action { get; }

    /// <summary>The rule's line in the file.</summary>
    public int Line { get; }

    /// <summary>The kind's parameters by key (<c>min</c>, <c>pattern</c>, …), as written.</summary>
    internal IReadOnlyDictionary<string, ContractValue> Parameters { get; }

    /// <summary>Adds the rule to <paramref name="rules"/>, converting its values to the column's type.</summary>
    /// <exception cref="ArgumentException">The column is missing, a value is not of its type, or the values do not fit it.</exception>
    internal void AddTo(RowExpectations rules)
    {
        var field = Field!;
        switch (Kind)
        {
            case RuleKind.NotNull:
                rules.NotNull(Name, field, Action);
                break;
            case RuleKind.Range:
                Range(rules, field, Parameters["min"], Parameters["max"]);
                break;
            case RuleKind.Regex:
                rules.Matches(Name, field, Parameters["pattern"].Text, Parameters.TryGetValue("timeout", out var timeout) ? timeout.Duration : null, Action);
                break;
            case RuleKind.AcceptedValues:
                var values = new List<object>();
                foreach (var value in Parameters["values"].Items)
                {
                    values.Add(Convert(rules.Schema, field, value));
                }
                rules.AcceptedValues(Name, field, values, Action);
                break;
            case RuleKind.Unique:
                rules.Unique(Name, field, Parameters["horizon"].Duration, Action);
                break;
            case RuleKind.Freshness:
                rules.Freshness(Name, Parameters["max_lag"].Duration, Parameters.TryGetValue("check_every", out var every) ? every.Duration : null, Action);
                break;
            case RuleKind.Volume:
                rules.Volume(Name, Parameters["window"].Duration,
                    Parameters.TryGetValue("min", out var min) ? min.Integer : 0,
                    Parameters.TryGetValue("max", out var max) ? max.Integer : long.MaxValue,
                    Parameters.TryGetValue("trailing_windows", out var trailing) ? (int)trailing.Integer : 0,
                    Parameters.TryGetValue("sigmas", out var sigmas) ? sigmas.Number : 3,
                    Action);
                break;
            default:
                throw new InvalidOperationException($"The reader admitted rule kind {Kind}.");
        }
    }

    private void Range(RowExpectations rules, string field, ContractValue min, ContractValue max)
    {
        var index = rules.Schema.IndexOf(field);
        switch (index < 0 ? DataTypeKind.Varchar : rules.Schema[index].Type.Kind)
        {
            case DataTypeKind.Int or DataTypeKind.BigInt:
                rules.Range(Name, field, (long)Convert(rules.Schema, field, min), (long)Convert(rules.Schema, field, max), Action);
                break;
            case DataTypeKind.Float or DataTypeKind.Double:
                rules.Range(Name, field, (double)Convert(rules.Schema, field, min), (double)Convert(rules.Schema, field, max), Action);
                break;
            case DataTypeKind.Decimal:
                rules.Range(Name, field, (decimal)Convert(rules.Schema, field, min), (decimal)Convert(rules.Schema, field, max), Action);
                break;
            case DataTypeKind.Date:
                rules.Range(Name, field, (DateOnly)Convert(rules.Schema, field, min), (DateOnly)Convert(rules.Schema, field, max), Action);
                break;
            default:
                rules.Range(Name, field, min.Text, max.Text, Action);
                break;
        }
    }

    /// <summary>A scalar as a value of <paramref name="field"/>'s type (text for a column the rule builder then rejects).</summary>
    private object Convert(Schema schema, string field, ContractValue value)
    {
        var index = schema.IndexOf(field);
        var kind = index < 0 ? DataTypeKind.Varchar : schema[index].Type.Kind;
        var text = value.Text;
        var ok = true;
        object result = text;
        switch (kind)
        {
            case DataTypeKind.Int or DataTypeKind.BigInt:
                ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l);
                result = l;
                break;
            case DataTypeKind.Float or DataTypeKind.Double:
                ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
                result = d;
                break;
            case DataTypeKind.Decimal:
                ok = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var m);
                result = m;
                break;
            case DataTypeKind.Boolean:
                ok = bool.TryParse(text, out var b);
                result = b;
                break;
            case DataTypeKind.Date:
                ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
                result = date;
                break;
        }
        return ok ? result : throw new ArgumentException(
            $"Rule '{Name}' gives '{text}' for column '{field}' of type {schema[index].Type}, which is not a value of that type: write a {(kind == DataTypeKind.Date ? "date (yyyy-MM-dd)" : kind.ToString().ToUpperInvariant())}.");
    }
}

/// <summary>A parameter value of a contract rule as the YAML gives it: a scalar's text, or a sequence of scalars, with its line.</summary>
internal sealed record ContractValue(string Text, int Line, IReadOnlyList<ContractValue> Items)
{
    /// <summary>The text as a duration: a whole number and a unit, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (<c>500ms</c>, <c>5m</c>); checked by the reader.</summary>
    public TimeSpan Duration => DataContractReader.ParseDuration(Text) ?? throw new InvalidOperationException("The reader checks durations.");

    /// <summary>The text as a whole number; checked by the reader.</summary>
    public long Integer => long.Parse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The text as a number; checked by the reader.</summary>
    public double Number => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
