using Avro;

namespace Sluice.SchemaRegistry.Compatibility;

/// <summary>
/// Whether an Avro reader schema can read every datum written with a writer schema, by the Avro specification's
/// schema resolution rules as Apache Avro's Java <c>SchemaCompatibility</c> (which Confluent's registry runs) applies
/// them:
/// <list type="bullet">
/// <item>named types (record, enum, fixed) match by unqualified name, or when a reader alias names the writer's full
/// name (so a namespace change alone is accepted, as Confluent accepts it);</item>
/// <item>record fields match by name or by a reader field alias; a reader field missing from the writer needs a
/// default; writer fields the reader lacks are skipped;</item>
/// <item>promotions: int → long, float, double; long → float, double; float → double; string ↔ bytes;</item>
/// <item>enums: a writer symbol the reader lacks is an error unless the reader declares a default symbol;</item>
/// <item>fixed: names and sizes must match; arrays and maps by their items and values;</item>
/// <item>unions: every branch of a writer union must be readable; a reader union reads a writer type when some branch
/// does;</item>
/// <item>logical types are ignored (their underlying types are compared), as in Avro's Java checker.</item>
/// </list>
/// A (reader, writer) pair of named types already being checked counts as compatible, so recursive types terminate;
/// a pair already checked is not checked again. Not thread-safe: one instance per check.
/// </summary>
internal sealed class AvroCompatibility
{
    private readonly Dictionary<(Schema Reader, Schema Writer), List<SchemaIncompatibility>?> _pairs = new(PairComparer.Instance);
    private readonly List<string> _location = [];

    private AvroCompatibility()
    {
    }

    /// <summary>
    /// The reasons <paramref name="reader"/> cannot read data written with <paramref name="writer"/>; empty when it
    /// can.
    /// </summary>
    public static IReadOnlyList<SchemaIncompatibility> Check(Schema reader, Schema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var issues = new List<SchemaIncompatibility>();
        new AvroCompatibility().Compare(reader, writer, issues);
        return issues;
    }

    /// <summary>Compares one pair at the current location, appending what is wrong to <paramref name="issues"/>.</summary>
    /// <returns>Whether the pair is compatible.</returns>
    private bool Compare(Schema reader, Schema writer, List<SchemaIncompatibility> issues)
    {
        reader = Unwrap(reader);
        writer = Unwrap(writer);
        if (reader is not NamedSchema && writer is not NamedSchema)
        {
            return CompareUncached(reader, writer, issues);
        }
        var pair = (reader, writer);
        if (_pairs.TryGetValue(pair, out var known))
        {
            // null: the pair is being checked further up (a recursive type), assumed compatible as Avro's checker does.
            if (known is null)
            {
                return true;
            }
            issues.AddRange(known);
            return known.Count == 0;
        }
        _pairs[pair] = null;
        var own = new List<SchemaIncompatibility>();
        var compatible = CompareUncached(reader, writer, own);
        _pairs[pair] = own;
        issues.AddRange(own);
        return compatible;
    }

    private bool CompareUncached(Schema reader, Schema writer, List<SchemaIncompatibility> issues)
    {
        var readerType = TypeOf(reader);
        var writerType = TypeOf(writer);
        if (readerType == writerType)
        {
            switch (reader)
            {
                case RecordSchema readerRecord:
                    return CompareNames(readerRecord, (NamedSchema)writer, issues) & CompareFields(readerRecord, (RecordSchema)writer, issues);
                case EnumSchema readerEnum:
                    return CompareNames(readerEnum, (NamedSchema)writer, issues) & CompareSymbols(readerEnum, (EnumSchema)writer, issues);
                case FixedSchema readerFixed:
                    return CompareNames(readerFixed, (NamedSchema)writer, issues) & CompareSize(readerFixed, (FixedSchema)writer, issues);
                case ArraySchema readerArray:
                    return CompareAt("items", readerArray.ItemSchema, ((ArraySchema)writer).ItemSchema, issues);
                case MapSchema readerMap:
                    return CompareAt("values", readerMap.ValueSchema, ((MapSchema)writer).ValueSchema, issues);
                case UnionSchema:
                    return CompareWriterUnion(reader, (UnionSchema)writer, issues);
                default:
                    return true; // the same primitive type
            }
        }
        if (writer is UnionSchema writerUnion)
        {
            return CompareWriterUnion(reader, writerUnion, issues);
        }
        if (reader is UnionSchema readerUnion)
        {
            foreach (var branch in readerUnion.Schemas)
            {
                if (Compare(branch, writer, []))
                {
                    return true;
                }
            }
            return Add(issues, "MISSING_UNION_BRANCH", $"the reader's union {Describe(reader)} has no branch that reads the writer's type {Describe(writer)}");
        }
        if (IsPromotion(readerType, writerType))
        {
            return true;
        }
        return Add(issues, "TYPE_MISMATCH", $"the reader's type {Describe(reader)} cannot read the writer's type {Describe(writer)}");
    }

    /// <summary>Every branch of the writer's union must be readable by the reader (a union or not).</summary>
    private bool CompareWriterUnion(Schema reader, UnionSchema writer, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        for (var i = 0; i < writer.Schemas.Count; i++)
        {
            var branch = writer.Schemas[i];
            _location.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (reader is UnionSchema)
            {
                if (!Compare(reader, branch, []))
                {
                    compatible = Add(issues, "MISSING_UNION_BRANCH", $"the reader's union {Describe(reader)} has no branch that reads the writer's union branch {i} ({Describe(branch)})");
                }
            }
            else
            {
                compatible &= Compare(reader, branch, issues);
            }
            _location.RemoveAt(_location.Count - 1);
        }
        return compatible;
    }

    private bool CompareFields(RecordSchema reader, RecordSchema writer, List<SchemaIncompatibility> issues)
    {
        var compatible = true;
        _location.Add("fields");
        foreach (var readerField in reader.Fields)
        {
            _location.Add(readerField.Pos.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var writerField = FindWriterField(writer, readerField);
            if (writerField is not null)
            {
                compatible &= CompareAt("type", readerField.Schema, writerField.Schema, issues);
            }
            else if (readerField.DefaultValue is null)
            {
                compatible = Add(issues, "READER_FIELD_MISSING_DEFAULT_VALUE", $"the reader's field '{readerField.Name}' has no default value and is missing from the writer's record '{writer.Fullname}'");
            }
            _location.RemoveAt(_location.Count - 1);
        }
        _location.RemoveAt(_location.Count - 1);
        return compatible;
    }

    /// <summary>The writer's field the reader's field reads: the one of the same name, else one a reader alias names.</summary>
    private static Field? FindWriterField(RecordSchema writer, Field readerField)
    {
        if (writer.TryGetField(readerField.Name, out var direct))
        {
            return direct;
        }
        Field? found = null;
        foreach (var alias in readerField.Aliases ?? [])
        {
            if (writer.TryGetField(alias, out var aliased))
            {
                if (found is not null && !ReferenceEquals(found, aliased))
                {
                    // Two aliases name two writer fields: Avro's Java checker refuses to guess (it throws); treat the
                    // field as not found, so a missing default is reported instead of a silent wrong match.
                    return null;
                }
                found = aliased;
            }
        }
        return found;
    }

    private bool CompareSymbols(EnumSchema reader, EnumSchema writer, List<SchemaIncompatibility> issues)
    {
        var missing = new List<string>();
        foreach (var symbol in writer.Symbols)
        {
            if (!reader.Contains(symbol))
            {
                missing.Add(symbol);
            }
        }
        if (missing.Count == 0 || (reader.Default is not null && reader.Contains(reader.Default)))
        {
            return true;
        }
        missing.Sort(StringComparer.Ordinal);
        _location.Add("symbols");
        Add(issues, "MISSING_ENUM_SYMBOLS", $"the reader's enum '{reader.Fullname}' lacks the writer's symbols [{string.Join(", ", missing)}] and has no default symbol");
        _location.RemoveAt(_location.Count - 1);
        return false;
    }

    private bool CompareSize(FixedSchema reader, FixedSchema writer, List<SchemaIncompatibility> issues)
    {
        if (reader.Size == writer.Size)
        {
            return true;
        }
        _location.Add("size");
        Add(issues, "FIXED_SIZE_MISMATCH", $"the reader's fixed '{reader.Fullname}' has size {reader.Size} but the writer's has size {writer.Size}");
        _location.RemoveAt(_location.Count - 1);
        return false;
    }

    private bool CompareNames(NamedSchema reader, NamedSchema writer, List<SchemaIncompatibility> issues)
    {
        if (reader.Name == writer.Name || AliasesOf(reader).Contains(writer.Fullname))
        {
            return true;
        }
        _location.Add("name");
        Add(issues, "NAME_MISMATCH", $"the reader's name '{reader.Fullname}' differs from the writer's name '{writer.Fullname}', which is not among the reader's aliases");
        _location.RemoveAt(_location.Count - 1);
        return false;
    }

    /// <summary>
    /// The full names of a named schema's aliases (an alias without a dot is in the schema's namespace). Apache.Avro
    /// keeps them private, so they are read back from the schema's JSON; only a name mismatch needs them.
    /// </summary>
    private static HashSet<string> AliasesOf(NamedSchema schema)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        if (Newtonsoft.Json.Linq.JToken.Parse(schema.ToString()) is Newtonsoft.Json.Linq.JObject json
            && json["aliases"] is Newtonsoft.Json.Linq.JArray names)
        {
            foreach (var name in names)
            {
                var alias = name.ToString();
                aliases.Add(alias.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(schema.Namespace) ? alias : schema.Namespace + "." + alias);
            }
        }
        return aliases;
    }

    private bool CompareAt(string segment, Schema reader, Schema writer, List<SchemaIncompatibility> issues)
    {
        _location.Add(segment);
        var compatible = Compare(reader, writer, issues);
        _location.RemoveAt(_location.Count - 1);
        return compatible;
    }

    /// <summary>Records an incompatibility at the current location; always false, for <c>return Add(…)</c>.</summary>
    private bool Add(List<SchemaIncompatibility> issues, string type, string description)
    {
        issues.Add(new SchemaIncompatibility(type, "/" + string.Join('/', _location), description));
        return false;
    }

    private static bool IsPromotion(Schema.Type reader, Schema.Type writer) => (reader, writer) switch
    {
        (Schema.Type.Long, Schema.Type.Int) => true,
        (Schema.Type.Float, Schema.Type.Int or Schema.Type.Long) => true,
        (Schema.Type.Double, Schema.Type.Int or Schema.Type.Long or Schema.Type.Float) => true,
        (Schema.Type.Bytes, Schema.Type.String) => true,
        (Schema.Type.String, Schema.Type.Bytes) => true,
        _ => false,
    };

    private static Schema Unwrap(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    private static Schema.Type TypeOf(Schema schema) => schema.Tag == Schema.Type.Error ? Schema.Type.Record : schema.Tag;

    /// <summary>A type as an Avro schema names it: <c>int</c>, <c>record 'ns.R'</c>, <c>["null","string"]</c>.</summary>
    private static string Describe(Schema schema) => schema switch
    {
        UnionSchema union => "[" + string.Join(",", union.Schemas.Select(Describe)) + "]",
        NamedSchema named => $"{Name(TypeOf(named))} '{named.Fullname}'",
        _ => Name(TypeOf(Unwrap(schema))),
    };

    private static string Name(Schema.Type type) => type switch
    {
        Schema.Type.Enumeration => "enum",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>Pairs of schemas compared by reference: named types are shared objects within a parsed schema.</summary>
    private sealed class PairComparer : IEqualityComparer<(Schema Reader, Schema Writer)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema Reader, Schema Writer) x, (Schema Reader, Schema Writer) y) =>
            ReferenceEquals(x.Reader, y.Reader) && ReferenceEquals(x.Writer, y.Writer);

        public int GetHashCode((Schema Reader, Schema Writer) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Reader), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Writer));
    }
}
