using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Ingest;

/// <summary>What an ingest request stores as each record's value (<c>?format=</c>).</summary>
internal enum IngestValueFormat
{
    /// <summary>No <c>format</c>: the record's JSON bytes as sent.</summary>
    Json,

    /// <summary><c>avro-confluent</c>: Avro binary of the latest schema of subject <c>&lt;topic&gt;-value</c>, in Confluent's wire format.</summary>
    AvroConfluent,

    /// <summary><c>json-registry</c>: the JSON, validated against the latest JSON Schema of <c>&lt;topic&gt;-value</c>, in Confluent's wire format.</summary>
    JsonRegistry,
}

/// <summary>The query options of <c>POST /ingest/{topic}</c>: <c>key</c>, <c>timestamp</c>, <c>dlq</c>,
/// <c>create</c>, <c>partitions</c>, <c>format</c> (see docs/server.md, "HTTP ingest"). Immutable.</summary>
internal sealed class IngestQuery
{
    private IngestQuery(IngestFields fields, bool deadLetter, bool create, int partitions, IngestValueFormat valueFormat)
    {
        Fields = fields;
        DeadLetter = deadLetter;
        Create = create;
        Partitions = partitions;
        ValueFormat = valueFormat;
    }

    /// <summary>Key and timestamp fields.</summary>
    public IngestFields Fields { get; }

    /// <summary><c>?dlq=true</c>: bad records go to the dead-letter topic.</summary>
    public bool DeadLetter { get; }

    /// <summary><c>?create=true</c>: a missing topic is created.</summary>
    public bool Create { get; }

    /// <summary><c>?partitions=N</c>: partitions of a topic <see cref="Create"/> creates (default 1).</summary>
    public int Partitions { get; }

    /// <summary><c>?format=</c>: what each record's value is stored as (default <see cref="IngestValueFormat.Json"/>).</summary>
    public IngestValueFormat ValueFormat { get; }

    /// <summary>The body format for a Content-Type.</summary>
    public IngestBodyFormat Format(string? contentType)
    {
        if (contentType is null)
        {
            return IngestBodyFormat.Sniff;
        }
        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        media = (semicolon >= 0 ? media[..semicolon] : media).Trim();
        if (media.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-jsonlines", StringComparison.OrdinalIgnoreCase))
        {
            return IngestBodyFormat.Ndjson;
        }
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? IngestBodyFormat.Json : IngestBodyFormat.Sniff;
    }

    /// <summary>Reads the options; <paramref name="error"/> names the first bad one.</summary>
    public static IngestQuery Parse(IQueryCollection query, string topic, out string? error)
    {
        error = null;
        if (query.Count == 0)
        {
            return Default;
        }
        var key = Text(query, "key", topic, ref error);
        var timestamp = Text(query, "timestamp", topic, ref error);
        var dlq = Flag(query, "dlq", topic, ref error);
        var create = Flag(query, "create", topic, ref error);
        var partitions = 1;
        if (query.TryGetValue("partitions", out var p) && (!int.TryParse(p.ToString(), out partitions) || partitions is < 1 or > 100_000))
        {
            error ??= $"Option 'partitions' for topic '{topic}' must be a whole number from 1 to 100000; got '{p}'.";
        }
        var valueFormat = IngestValueFormat.Json;
        if (query.TryGetValue("format", out var f))
        {
            switch (f.ToString())
            {
                case "json":
                    break;
                case "avro-confluent":
                    valueFormat = IngestValueFormat.AvroConfluent;
                    break;
                case "json-registry":
                    valueFormat = IngestValueFormat.JsonRegistry;
                    break;
                default:
                    error ??= $"Option 'format' for topic '{topic}' must be avro-confluent, json-registry or json (the default: the JSON as sent); got '{f}'.";
                    break;
            }
        }
        return new IngestQuery(key is null && timestamp is null ? IngestFields.None : new IngestFields(key, timestamp), dlq, create, partitions, valueFormat);
    }

    private static IngestQuery Default { get; } = new(IngestFields.None, false, false, 1, IngestValueFormat.Json);

    private static string? Text(IQueryCollection query, string name, string topic, ref string? error)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }
        var value = values.ToString();
        if (value.Length == 0 || values.Count > 1)
        {
            error ??= $"Option '{name}' for topic '{topic}' must name one top-level field; got '{value}'.";
            return null;
        }
        return value;
    }

    private static bool Flag(IQueryCollection query, string name, string topic, ref string? error)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return false;
        }
        var value = values.ToString();
        if (value is "" or "true" or "1")
        {
            return true;
        }
        if (value is not ("false" or "0"))
        {
            error ??= $"Option '{name}' for topic '{topic}' must be true or false; got '{value}'.";
        }
        return false;
    }
}
