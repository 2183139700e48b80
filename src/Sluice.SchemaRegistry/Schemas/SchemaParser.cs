using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.SchemaRegistry.Schemas;

/// <summary>
/// Parses registered schema texts. Stateless and thread-safe. Referenced schemas are resolved through a callback, so
/// the parser knows nothing of storage.
/// </summary>
public static class SchemaParser
{
    /// <summary>The base URI a JSON Schema's relative <c>$ref</c> to a reference name resolves against.</summary>
    private static readonly Uri s_jsonBase = new("https://schemas.sluice.invalid/");

    /// <summary>Parses <paramref name="text"/> as a schema of <paramref name="type"/>.</summary>
    /// <param name="type">The schema's kind.</param>
    /// <param name="text">The schema text.</param>
    /// <param name="references">The schema's references (empty for none): for Avro, the named types the text uses
    /// from other subjects; for JSON Schema, the documents its <c>$ref</c>s name.</param>
    /// <param name="resolve">Finds a referenced schema; null when it is not registered.</param>
    /// <exception cref="InvalidSchemaException">The text is not a valid schema of that kind, a reference does not
    /// resolve, or the kind is not supported; the message says where (a JSON line and position, an Avro field path,
    /// a JSON pointer) and why.</exception>
    public static ParsedSchema Parse(SchemaType type, string text, IReadOnlyList<SchemaReference>? references = null, Func<SchemaReference, ParsedSchema?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        references ??= [];
        return type switch
        {
            SchemaType.Avro => ParseAvro(text, references, resolve),
            SchemaType.Json => ParseJson(text, references, resolve),
            _ => throw new InvalidSchemaException($"Schema type {type.ToString().ToUpperInvariant()} is not supported by this registry; use AVRO or JSON."),
        };
    }

    private static AvroSchema ParseAvro(string text, IReadOnlyList<SchemaReference> references, Func<SchemaReference, ParsedSchema?>? resolve)
    {
        // Avro's parser reads the text with Newtonsoft, whose messages for broken JSON are vague about the spot; check
        // the JSON first so the message gives the line and position. A bare primitive name (int) is Avro, not JSON.
        if (!IsAvroPrimitiveName(text.Trim()))
        {
            CheckJson(text, "Avro schema");
        }
        var names = new Avro.SchemaNames();
        foreach (var reference in references)
        {
            if (Resolve(reference, resolve, SchemaType.Avro) is not AvroSchema referenced)
            {
                throw new InvalidSchemaException($"Invalid Avro schema: reference '{reference.Name}' (subject '{reference.Subject}' version {reference.Version}) is not an Avro schema.");
            }
            AddNamedTypes(referenced.Schema, names);
        }
        Avro.Schema schema;
        try
        {
            schema = references.Count == 0 ? Avro.Schema.Parse(text) : Avro.Schema.Parse(text, names, null);
        }
        catch (Exception e) when (e is Avro.AvroException or Newtonsoft.Json.JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidSchemaException($"Invalid Avro schema: {e.Message}", e);
        }
        return new AvroSchema(text, references, schema, schema.ToString());
    }

    private static JsonSchemaDocument ParseJson(string text, IReadOnlyList<SchemaReference> references, Func<SchemaReference, ParsedSchema?>? resolve)
    {
        var document = CheckJson(text, "JSON Schema")
            ?? throw new InvalidSchemaException("Invalid JSON Schema: the text is JSON null, not a schema.");
        if (document.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw new InvalidSchemaException($"Invalid JSON Schema: a schema is an object or a boolean, not {document.GetValueKind().ToString().ToLowerInvariant()}.");
        }
        var given = document;
        if (document is JsonObject o && o["$schema"] is JsonValue v && v.TryGetValue(out string? dialect) && Sluice.Formats.Json.JsonSchemaDraft4.Is(dialect))
        {
            document = Sluice.Formats.Json.JsonSchemaDraft4.Upgrade(document); // Confluent's JSON serializers write draft 4
        }
        CheckAgainstMetaSchema(document);

        // A schema without $schema is draft 7, as Confluent reads it (so 'definitions' holds local subschemas); a $schema
        // keyword picks its own dialect.
        var options = new Json.Schema.BuildOptions { SchemaRegistry = new Json.Schema.SchemaRegistry(), Dialect = Json.Schema.Dialect.Draft07 };
        RegisterJsonReferences(references, resolve, options, []);
        Json.Schema.JsonSchema schema;
        try
        {
            schema = Json.Schema.JsonSchema.FromText(ReferenceEquals(document, given) ? text : document.ToJsonString(), options, new Uri(s_jsonBase, "root-" + Guid.NewGuid().ToString("N") + ".json"));
        }
        catch (Exception e) when (e is JsonException or Json.Schema.JsonSchemaException or Json.Schema.RefResolutionException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidSchemaException($"Invalid JSON Schema: {e.Message}", e);
        }
        return new JsonSchemaDocument(text, references, document, schema, given.ToJsonString());
    }

    /// <summary>Registers each referenced document (and, in turn, its references) under its reference name.</summary>
    private static void RegisterJsonReferences(IReadOnlyList<SchemaReference> references, Func<SchemaReference, ParsedSchema?>? resolve, Json.Schema.BuildOptions options, HashSet<Uri> registered)
    {
        foreach (var reference in references)
        {
            if (Resolve(reference, resolve, SchemaType.Json) is not JsonSchemaDocument referenced)
            {
                throw new InvalidSchemaException($"Invalid JSON Schema: reference '{reference.Name}' (subject '{reference.Subject}' version {reference.Version}) is not a JSON Schema.");
            }
            var uri = Uri.TryCreate(reference.Name, UriKind.Absolute, out var absolute) ? absolute : new Uri(s_jsonBase, reference.Name);
            if (!registered.Add(uri))
            {
                continue;
            }
            RegisterJsonReferences(referenced.References, resolve, options, registered);
            try
            {
                options.SchemaRegistry.Register(uri, Json.Schema.JsonSchema.FromText(referenced.Document.ToJsonString(), options, uri));
            }
            catch (Exception e) when (e is JsonException or Json.Schema.JsonSchemaException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidSchemaException($"Invalid JSON Schema: reference '{reference.Name}' cannot be loaded: {e.Message}", e);
            }
        }
    }

    /// <summary>Checks the document against its dialect's meta-schema (draft 7 unless <c>$schema</c> names 2019-09 or
    /// 2020-12), naming the JSON pointer of the first problems.</summary>
    private static void CheckAgainstMetaSchema(JsonNode document)
    {
        string? dialect = document is JsonObject o && o["$schema"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        var meta = dialect switch
        {
            null => Json.Schema.MetaSchemas.Draft7,
            _ when dialect.Contains("draft-07", StringComparison.Ordinal) => Json.Schema.MetaSchemas.Draft7,
            _ when dialect.Contains("draft-06", StringComparison.Ordinal) => Json.Schema.MetaSchemas.Draft6,
            _ when dialect.Contains("2019-09", StringComparison.Ordinal) => Json.Schema.MetaSchemas.Draft201909,
            _ when dialect.Contains("2020-12", StringComparison.Ordinal) => Json.Schema.MetaSchemas.Draft202012,
            _ => throw new InvalidSchemaException($"Invalid JSON Schema: $schema '{dialect}' is not a dialect this registry reads; use draft-04, draft-06, draft-07, 2019-09 or 2020-12."),
        };
        using var parsed = JsonDocument.Parse(document.ToJsonString());
        var results = meta.Evaluate(parsed.RootElement, new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.Hierarchical });
        if (results.IsValid)
        {
            return;
        }
        var problems = new List<string>();
        CollectProblems(results, problems);
        throw new InvalidSchemaException(problems.Count == 0
            ? "Invalid JSON Schema: it does not match its meta-schema."
            : $"Invalid JSON Schema {string.Join("; ", problems.Distinct().Take(3))}.");
    }

    /// <summary>Collects the errors of failed nodes, descending only into failed nodes (so the failed branches of an
    /// anyOf that passed do not show up).</summary>
    private static void CollectProblems(Json.Schema.EvaluationResults node, List<string> problems)
    {
        if (node.IsValid)
        {
            return;
        }
        if (node.Errors is { } errors)
        {
            foreach (var (_, message) in errors)
            {
                var at = node.InstanceLocation.ToString();
                problems.Add($"at '{(at.Length == 0 ? "/" : at)}': {message}");
            }
        }
        foreach (var child in node.Details ?? [])
        {
            CollectProblems(child, problems);
        }
    }

    private static ParsedSchema Resolve(SchemaReference reference, Func<SchemaReference, ParsedSchema?>? resolve, SchemaType type)
    {
        var resolved = resolve?.Invoke(reference)
            ?? throw new InvalidSchemaException($"Invalid {(type == SchemaType.Avro ? "Avro schema" : "JSON Schema")}: reference '{reference.Name}' names subject '{reference.Subject}' version {reference.Version}, which is not registered.");
        return resolved;
    }

    /// <summary>Adds every named type (record, enum, fixed) of <paramref name="schema"/> to <paramref name="names"/>.</summary>
    private static void AddNamedTypes(Avro.Schema schema, Avro.SchemaNames names)
    {
        switch (schema)
        {
            case Avro.NamedSchema named when names.Contains(named.SchemaName):
                return;
            case Avro.RecordSchema record:
                names.Add(record);
                foreach (var field in record.Fields)
                {
                    AddNamedTypes(field.Schema, names);
                }
                break;
            case Avro.NamedSchema named:
                names.Add(named);
                break;
            case Avro.ArraySchema array:
                AddNamedTypes(array.ItemSchema, names);
                break;
            case Avro.MapSchema map:
                AddNamedTypes(map.ValueSchema, names);
                break;
            case Avro.UnionSchema union:
                foreach (var branch in union.Schemas)
                {
                    AddNamedTypes(branch, names);
                }
                break;
            default:
                break;
        }
    }

    /// <summary>Parses <paramref name="text"/> as JSON, or throws naming the line and position (1-based) of the error.</summary>
    private static JsonNode? CheckJson(string text, string kind)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? $"line {line + 1}, position {position + 1}"
                : "an unknown position";
            var reason = e.Message;
            int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = (cut > 0 ? reason[..cut] : reason).Trim().TrimEnd('.');
            throw new InvalidSchemaException($"Invalid {kind}: the text is not valid JSON at {where}: {reason}.", e);
        }
    }

    private static bool IsAvroPrimitiveName(string text) =>
        text is "null" or "boolean" or "int" or "long" or "float" or "double" or "bytes" or "string";
}
