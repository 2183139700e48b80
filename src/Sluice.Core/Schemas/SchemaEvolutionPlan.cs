using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Sluice.Schemas;

/// <summary>
/// The decision a sink makes when rows of <see cref="Incoming"/> reach a table of <see cref="Table"/>: write them as
/// they are, widen the table (new nullable columns at the end, in the order the rows have them), or refuse them. It is
/// sink-independent: the DuckDB and Parquet lake sinks (and any SQL table sink) apply the same rules, listed here:
/// <list type="bullet">
/// <item>fields are matched by name (case-sensitive); order does not matter;</item>
/// <item>a field the table lacks is added when it is nullable; a new NOT NULL field is refused (a schema carries no
/// default, and the table's existing rows would hold null in it);</item>
/// <item>a table column the rows lack is written null when nullable, and refused when NOT NULL (a dropped required field);</item>
/// <item>a field whose type differs is refused, except the safe promotions INT → BIGINT and FLOAT → DOUBLE of a row
/// value into a wider table column (never the reverse: the table's column type is never changed);</item>
/// <item>a nullable field into a NOT NULL table column relaxes the column (the widened table schema has it nullable).</item>
/// </list>
/// </summary>
/// <remarks>
/// Immutable and thread-safe once created; creating one costs a pass over both schemas, so writers keep them in a
/// <see cref="SchemaEvolutionPlanCache"/> and pay a reference compare per record. <see cref="Project"/> allocates nothing.
/// </remarks>
public sealed class SchemaEvolutionPlan
{
    private const byte Copy = 0, IntToBigInt = 1, FloatToDouble = 2;

    private readonly int[] _sources; // per column of Evolved: the incoming field, or -1 for null
    private readonly byte[] _conversions; // per column of Evolved: Copy, IntToBigInt or FloatToDouble

    private SchemaEvolutionPlan(Schema table, Schema incoming)
    {
        Table = table;
        Incoming = incoming;
        var fields = new List<Field>(table.Count + 4);
        var added = new List<Field>();
        var nullFilled = new List<string>();
        var promoted = new List<string>();
        var sources = new List<int>(table.Count + 4);
        var conversions = new List<byte>(table.Count + 4);
        var relaxed = false;
        for (var i = 0; i < table.Count && Reason is null; i++)
        {
            var column = table[i];
            var source = incoming.IndexOf(column.Name);
            if (source < 0)
            {
                if (!column.Type.IsNullable)
                {
                    Refuse(column.Name, $"the required field '{column.Name}' ({column.Type}) is missing from {DescribeRows(incoming)}; a NOT NULL column cannot be dropped");
                    break;
                }
                fields.Add(column);
                nullFilled.Add(column.Name);
                sources.Add(-1);
                conversions.Add(Copy);
                continue;
            }
            var type = incoming[source].Type;
            var conversion = Copy;
            if (!SameIgnoringNullability(type, column.Type))
            {
                conversion = (type.Kind, column.Type.Kind) switch
                {
                    (DataTypeKind.Int, DataTypeKind.BigInt) => IntToBigInt,
                    (DataTypeKind.Float, DataTypeKind.Double) => FloatToDouble,
                    _ => byte.MaxValue,
                };
                if (conversion == byte.MaxValue)
                {
                    Refuse(column.Name, $"the field '{column.Name}' changed type from {column.Type} to {type} in {DescribeRows(incoming)}; a column's type is never changed (only INT into BIGINT and FLOAT into DOUBLE columns are widened)");
                    break;
                }
                promoted.Add(column.Name);
            }
            if (type.IsNullable && !column.Type.IsNullable)
            {
                column = new Field(column.Name, column.Type.Nullable(), column.Description);
                relaxed = true;
            }
            fields.Add(column);
            sources.Add(source);
            conversions.Add(conversion);
        }
        for (var j = 0; j < incoming.Count && Reason is null; j++)
        {
            var field = incoming[j];
            if (table.IndexOf(field.Name) >= 0)
            {
                continue;
            }
            if (!field.Type.IsNullable)
            {
                Refuse(field.Name, $"the new field '{field.Name}' ({field.Type}) of {DescribeRows(incoming)} is NOT NULL without a default, but the table's existing rows have no value for it; make it nullable (or give it a default in the registry)");
                break;
            }
            fields.Add(field);
            added.Add(field);
            sources.Add(j);
            conversions.Add(Copy);
        }
        AddedColumns = added;
        NullFilledColumns = nullFilled;
        PromotedColumns = promoted;
        if (Reason is not null)
        {
            Kind = SchemaChangeKind.Incompatible;
            Evolved = table;
            _sources = [];
            _conversions = [];
            return;
        }
        Kind = incoming.Equals(table) ? SchemaChangeKind.Identical : SchemaChangeKind.Compatible;
        if (added.Count == 0 && !relaxed)
        {
            Evolved = table;
        }
        else
        {
            // When the widened table is exactly the rows' schema, take the rows' object: their later rows then match by reference.
            var evolved = new Schema(fields) { Origin = incoming.Origin ?? table.Origin };
            Evolved = evolved.Equals(incoming) ? incoming : evolved;
        }
        _sources = [.. sources];
        _conversions = [.. conversions];
        Debug.Assert(_sources.Length == Evolved.Count, "every column of the evolved schema has a source");
    }

    /// <summary>The sink's current table schema.</summary>
    public Schema Table { get; }

    /// <summary>The schema of the incoming rows.</summary>
    public Schema Incoming { get; }

    /// <summary>Identical, compatible (possibly after adding columns) or incompatible.</summary>
    public SchemaChangeKind Kind { get; }

    /// <summary>
    /// The table schema rows are written with: <see cref="Table"/> itself when no column is added nor relaxed to
    /// nullable; otherwise the table's columns (in order), then <see cref="AddedColumns"/>, with the
    /// <see cref="Incoming"/> schema's origin — <see cref="Incoming"/> itself when that is equal to it. <see cref="Table"/>
    /// when incompatible.
    /// </summary>
    public Schema Evolved { get; }

    /// <summary>Whether the table must change (columns added or relaxed to nullable) before the rows are written.</summary>
    public bool ChangesTable => !ReferenceEquals(Evolved, Table);

    /// <summary>The nullable fields of <see cref="Incoming"/> the table lacks, in the rows' order: added at the end.</summary>
    public IReadOnlyList<Field> AddedColumns { get; }

    /// <summary>The nullable table columns the rows lack: written null.</summary>
    public IReadOnlyList<string> NullFilledColumns { get; }

    /// <summary>The columns whose narrower row values are widened (INT → BIGINT, FLOAT → DOUBLE).</summary>
    public IReadOnlyList<string> PromotedColumns { get; }

    /// <summary>
    /// Why the rows are incompatible: one sentence naming the field, the old and new types and where the incoming
    /// schema came from (<see cref="Schema.Origin"/>, e.g. <c>subject 'orders-value' version 2 (id 7)</c>); null otherwise.
    /// </summary>
    public string? Reason { get; private set; }

    /// <summary>The field at fault when incompatible; null otherwise.</summary>
    public string? Field { get; private set; }

    /// <summary>Plans writing rows of <paramref name="incoming"/> into a table of <paramref name="table"/> (see the class rules).</summary>
    /// <exception cref="ArgumentNullException">A schema is null.</exception>
    public static SchemaEvolutionPlan Create(Schema table, Schema incoming)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(incoming);
        return new SchemaEvolutionPlan(table, incoming);
    }

    /// <summary>
    /// Writes <paramref name="source"/> (a row of <see cref="Incoming"/>) into <paramref name="target"/> (a row of
    /// <see cref="Evolved"/> the caller reuses): fields by name, widened where promoted, null where the row lacks the
    /// column; copies the row kind. Allocates nothing; strings and nested values are shared, not cloned.
    /// </summary>
    /// <exception cref="InvalidOperationException">The plan is incompatible.</exception>
    /// <exception cref="ArgumentException">A row is not of the plan's schemas.</exception>
    public void Project(Row source, Row target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (Kind == SchemaChangeKind.Incompatible)
        {
            throw new InvalidOperationException($"An incompatible plan projects no rows: {Reason}.");
        }
        if (!ReferenceEquals(source.Schema, Incoming) && !source.Schema.Equals(Incoming))
        {
            ThrowWrongSchema(nameof(source), Incoming, source.Schema);
        }
        if (!ReferenceEquals(target.Schema, Evolved) && !target.Schema.Equals(Evolved))
        {
            ThrowWrongSchema(nameof(target), Evolved, target.Schema);
        }
        target.Kind = source.Kind;
        for (var i = 0; i < _sources.Length; i++)
        {
            var from = _sources[i];
            if (from < 0 || source.IsNull(from))
            {
                target.SetNull(i);
                continue;
            }
            switch (_conversions[i])
            {
                case IntToBigInt:
                    target.SetInt64(i, source.GetInt32(from));
                    break;
                case FloatToDouble:
                    target.SetDouble(i, source.GetSingle(from));
                    break;
                default:
                    source.CopyFieldTo(from, target, i);
                    break;
            }
        }
    }

    /// <summary>
    /// <c>adds name TYPE, …</c>, <c>writes null into …</c>, <c>widens …</c> or <c>identical</c>; the reason when incompatible.
    /// </summary>
    public override string ToString()
    {
        if (Reason is not null)
        {
            return "incompatible: " + Reason;
        }
        var parts = new List<string>();
        if (AddedColumns.Count > 0)
        {
            parts.Add("adds " + string.Join(", ", AddedColumns));
        }
        if (NullFilledColumns.Count > 0)
        {
            parts.Add("writes null into " + string.Join(", ", NullFilledColumns));
        }
        if (PromotedColumns.Count > 0)
        {
            parts.Add("widens " + string.Join(", ", PromotedColumns));
        }
        return parts.Count == 0 ? (Kind == SchemaChangeKind.Identical ? "identical" : "reorders fields") : string.Join("; ", parts);
    }

    /// <summary><c>rows of subject 'orders-value' version 2 (id 7)</c>, or of the schema's text when it has no origin.</summary>
    internal static string DescribeRows(Schema schema) =>
        schema.Origin is { } origin ? $"rows of {origin}" : $"rows of {schema}";

    private static bool SameIgnoringNullability(DataType a, DataType b) =>
        a.IsNullable == b.IsNullable ? a.Equals(b) : a.Nullable().Equals(b.Nullable());

    private void Refuse(string field, string reason)
    {
        Field = field;
        Reason = char.ToUpperInvariant(reason[0]) + reason[1..];
    }

    [DoesNotReturn]
    private static void ThrowWrongSchema(string parameter, Schema expected, Schema actual) =>
        throw new ArgumentException($"The plan maps rows of {expected}, not of {actual}.", parameter);
}
