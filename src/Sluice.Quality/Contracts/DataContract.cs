using Sluice.Schemas;

namespace Sluice.Quality;

/// <summary>
/// A data contract: a YAML file that describes one dataset — its name, version, owner, schema (fields, types,
/// nullability) and quality rules (the rule kinds of <see cref="RuleKind"/> with their parameters and actions). Load it
/// with <see cref="Load"/>; apply it to rows with <c>rows.Expect(contract)</c>, or to a SQL table with the option
/// <c>'contract' = 'path.yaml'</c>. Immutable and thread-safe. The format is versioned (<c>contract: 1</c>,
/// <see cref="FormatVersion"/>); see docs/quality.md, "Data contracts".
/// </summary>
public sealed class DataContract
{
    /// <summary>The format version this build writes and the newest it reads (<c>contract: 1</c>).</summary>
    public const int FormatVersion = 1;

    internal DataContract(string source, string name, string version, string owner, string? description, Schema schema, IReadOnlyList<int> fieldLines, IReadOnlyList<DataContractRule> rules)
    {
        Source = source;
        Name = name;
        Version = version;
        Owner = owner;
        Description = description;
        Schema = schema;
        FieldLines = fieldLines;
        Rules = rules;
    }

    /// <summary>Where the contract was read from (the path given to <see cref="Load"/>), as errors name it.</summary>
    public string Source { get; }

    /// <summary>The dataset's name (<c>name:</c>); the default name of the operator that enforces it.</summary>
    public string Name { get; }

    /// <summary>The contract's version as its owner writes it (<c>version:</c>, e.g. <c>2.1.0</c>).</summary>
    public string Version { get; }

    /// <summary>Who answers for the dataset (<c>owner:</c>, a team or an address).</summary>
    public string Owner { get; }

    /// <summary>What the dataset is (<c>description:</c>), or null.</summary>
    public string? Description { get; }

    /// <summary>The dataset's fields in order; a field with <c>nullable: false</c> has a NOT NULL type.</summary>
    public Schema Schema { get; }

    /// <summary>The rules, in the order written.</summary>
    public IReadOnlyList<DataContractRule> Rules { get; }

    /// <summary>The line of each field of <see cref="Schema"/> in the file, for errors.</summary>
    internal IReadOnlyList<int> FieldLines { get; }

    /// <summary>The name of the schema rule a contract adds (it checks the NOT NULL fields).</summary>
    public string SchemaRuleName => $"{Name}_schema";

    /// <summary>Reads and checks the contract file at <paramref name="path"/>.</summary>
    /// <exception cref="DataContractException">The file is missing, is no YAML, or is no valid contract of a known format version; the message names the file, line and field.</exception>
    public static DataContract Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataContractException($"{path}: the data contract cannot be read ({e.Message.TrimEnd('.')}): give the path of a contract file.", e);
        }
        return Parse(text, path);
    }

    /// <summary>Reads and checks a contract from its YAML <paramref name="yaml"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataContractException">The text is no YAML, or no valid contract; the message names the source, line and field.</exception>
    public static DataContract Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var contract = DataContractReader.Read(yaml, source);
        // Every rule must fit the contract's own schema: a rule naming a missing or mistyped field fails here.
        contract.AddTo(new RowExpectations(contract.Schema));
        return contract;
    }

    /// <summary>
    /// Adds the contract to <paramref name="rules"/>, rules over rows of <see cref="RowExpectations.Schema"/>: every
    /// contract field must be a column of that schema with the same type (nullability aside; more columns are fine), a
    /// schema rule (<see cref="SchemaRuleName"/>, dead-letter) refuses a row with a null in a field the contract declares
    /// <c>nullable: false</c>, and each contract rule is added in order.
    /// </summary>
    /// <exception cref="DataContractException">A field is missing or has another type, or a rule does not fit its column; the message names the file and line.</exception>
    public RowExpectations AddTo(RowExpectations rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var target = rules.Schema;
        var notNull = new List<int>();
        for (var i = 0; i < Schema.Count; i++)
        {
            var field = Schema[i];
            var index = target.IndexOf(field.Name);
            if (index < 0)
            {
                throw new DataContractException($"{Source}:{FieldLines[i]}: field '{field.Name}' of contract '{Name}' is not a column of {target}: add the column, or remove the field from the contract.");
            }
            if (!target[index].Type.Nullable().Equals(field.Type.Nullable()))
            {
                throw new DataContractException($"{Source}:{FieldLines[i]}: field '{field.Name}' of contract '{Name}' is {field.Type.Nullable()}, but the column is {target[index].Type}: make the types agree.");
            }
            if (!field.Type.IsNullable)
            {
                notNull.Add(index);
            }
        }
        if (notNull.Count > 0)
        {
            rules.Add(new Rules.ContractSchemaRule(SchemaRuleName, this, target, [.. notNull]));
        }
        foreach (var rule in Rules)
        {
            try
            {
                rule.AddTo(rules);
            }
            catch (ArgumentException e)
            {
                throw new DataContractException($"{Source}:{rule.Line}: {e.Message.Replace(" (Parameter '" + e.ParamName + "')", "", StringComparison.Ordinal)}", e);
            }
        }
        return rules;
    }

    /// <inheritdoc />
    public override string ToString() => $"contract '{Name}' version {Version} ({Source})";
}
