using System.Text.Json.Serialization;

namespace Sluice.Lineage;

/// <summary>
/// One OpenLineage run state update (the spec's <c>RunEvent</c>): a <see cref="Run"/> of a <see cref="Job"/> entered
/// <see cref="EventType"/> at <see cref="EventTime"/>, reading <see cref="Inputs"/> and writing <see cref="Outputs"/>.
/// A run sends one <see cref="RunEventType.Start"/> and then one of <see cref="RunEventType.Complete"/>,
/// <see cref="RunEventType.Fail"/> or <see cref="RunEventType.Abort"/>, all with the same <see cref="LineageRun.RunId"/>.
/// Serialized by <see cref="LineageJson"/> in the spec's shape (camelCase names, facets keyed by their spec names, nulls left out).
/// </summary>
public sealed record RunEvent
{
    /// <summary>The spec version the events follow: <c>schemaURL</c> of every event.</summary>
    public const string SpecSchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    /// <summary>The transition of the run's state.</summary>
    [JsonPropertyName("eventType")]
    public required RunEventType EventType { get; init; }

    /// <summary>When the transition happened (UTC).</summary>
    [JsonPropertyName("eventTime")]
    public required DateTimeOffset EventTime { get; init; }

    /// <summary>The run: its id and run facets.</summary>
    [JsonPropertyName("run")]
    public required LineageRun Run { get; init; }

    /// <summary>The job the run is of.</summary>
    [JsonPropertyName("job")]
    public required LineageJob Job { get; init; }

    /// <summary>Datasets the run reads (empty when none are known).</summary>
    [JsonPropertyName("inputs")]
    public IReadOnlyList<LineageDataset> Inputs { get; init; } = [];

    /// <summary>Datasets the run writes (empty when none are known).</summary>
    [JsonPropertyName("outputs")]
    public IReadOnlyList<LineageDataset> Outputs { get; init; } = [];

    /// <summary>The URI of the code that produced the event (<see cref="LineageProducer.Uri"/>).</summary>
    [JsonPropertyName("producer")]
    public string Producer { get; init; } = LineageProducer.Uri;

    /// <summary>The JSON schema of the event (<see cref="SpecSchemaUrl"/>).</summary>
    [JsonPropertyName("schemaURL")]
    public string SchemaUrl { get; init; } = SpecSchemaUrl;
}

/// <summary>The transition a <see cref="RunEvent"/> reports (the spec's <c>eventType</c>, written in upper case).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunEventType>))]
public enum RunEventType
{
    /// <summary>The run began.</summary>
    [JsonStringEnumMemberName("START")]
    Start,

    /// <summary>More information about a run still going (e.g. a streaming job's new inputs).</summary>
    [JsonStringEnumMemberName("RUNNING")]
    Running,

    /// <summary>The run ended successfully (a bounded job finished, a streaming job was stopped, a model was built).</summary>
    [JsonStringEnumMemberName("COMPLETE")]
    Complete,

    /// <summary>The run was stopped abnormally (cancelled).</summary>
    [JsonStringEnumMemberName("ABORT")]
    Abort,

    /// <summary>The run failed; the <c>errorMessage</c> run facet says why.</summary>
    [JsonStringEnumMemberName("FAIL")]
    Fail,

    /// <summary>Extra metadata outside the run cycle.</summary>
    [JsonStringEnumMemberName("OTHER")]
    Other,
}

/// <summary>The run of a <see cref="RunEvent"/>: its id (a UUIDv7, <see cref="NewRunId"/>) and run facets.</summary>
public sealed record LineageRun
{
    /// <summary>The run's id: the same in every event of the run.</summary>
    [JsonPropertyName("runId")]
    public required Guid RunId { get; init; }

    /// <summary>Run facets (parent, errorMessage, nominalTime); none set by default.</summary>
    [JsonPropertyName("facets")]
    public RunFacets Facets { get; init; } = new();

    /// <summary>A new run id: a time-ordered UUID version 7, as the spec recommends.</summary>
    public static Guid NewRunId() => Guid.CreateVersion7();
}

/// <summary>A job: a streaming job, a model, a DAG or a DAG task, named within a namespace.</summary>
public sealed record LineageJob
{
    /// <summary>The namespace of the job (<see cref="LineageJobNames.DefaultNamespace"/> unless configured).</summary>
    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    /// <summary>The job's name, unique within <see cref="Namespace"/> (e.g. <c>jaffle_shop.orders</c>, <c>clicks-per-user</c>).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Job facets (jobType, sql); none set by default.</summary>
    [JsonPropertyName("facets")]
    public JobFacets Facets { get; init; } = new();
}

/// <summary>
/// A dataset read or written: a table, topic, file or directory, named per the OpenLineage naming conventions (see
/// <see cref="DatasetNames"/>). The same physical dataset has the same <see cref="Namespace"/> and <see cref="Name"/>
/// whichever job reads or writes it, which is what links jobs into a lineage graph.
/// </summary>
public sealed record LineageDataset
{
    /// <summary>Where the dataset lives: e.g. <c>postgres://db.example:5432</c>, <c>kafka://broker:9092</c>, <c>file</c>.</summary>
    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    /// <summary>The dataset within <see cref="Namespace"/>: e.g. <c>shop.public.orders</c>, a topic, an absolute path.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Dataset facets (schema); none set by default.</summary>
    [JsonPropertyName("facets")]
    public DatasetFacets Facets { get; init; } = new();

    /// <summary>The same dataset with a schema facet of <paramref name="fields"/> (none when <paramref name="fields"/> is empty).</summary>
    public LineageDataset WithSchema(IReadOnlyList<SchemaField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return this with { Facets = Facets with { Schema = fields.Count == 0 ? null : new SchemaDatasetFacet { Fields = fields } } };
    }

    /// <summary>
    /// The same dataset with a schema facet of <paramref name="schema"/>'s fields, typed in Sluice's SQL type names
    /// (<c>BIGINT</c>, <c>STRING</c>, <c>ROW&lt;…&gt;</c>): for a connector that knows its rows' schema but not its
    /// system's own type names.
    /// </summary>
    public LineageDataset WithSchemaOf(Schemas.Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new SchemaField[schema.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new SchemaField(schema[i].Name, schema[i].Type.ToString());
        }
        return WithSchema(fields);
    }

    /// <summary><c>namespace/name</c>, the dataset's identity in the lineage graph.</summary>
    public override string ToString() => Namespace + "/" + Name;
}

/// <summary>The producer URI Sluice writes in every event and facet.</summary>
public static class LineageProducer
{
    /// <summary>Identifies Sluice as the producer of an event or facet.</summary>
    public const string Uri = "https://sluice.invalid/openlineage/1.0";
}
