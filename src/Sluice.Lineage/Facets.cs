using System.Text.Json.Serialization;

namespace Sluice.Lineage;

/// <summary>What every facet carries: who produced it and the JSON schema it follows (the spec's <c>BaseFacet</c>).</summary>
public abstract record LineageFacet
{
    /// <summary>The URI of the code that produced the facet.</summary>
    [JsonPropertyName("_producer")]
    [JsonPropertyOrder(-2)]
    public string Producer { get; init; } = LineageProducer.Uri;

    /// <summary>The JSON schema of the facet, a versioned URL of the OpenLineage spec.</summary>
    [JsonPropertyName("_schemaURL")]
    [JsonPropertyOrder(-1)]
    public string SchemaUrl { get; init; }

    /// <summary>A facet following <paramref name="schemaUrl"/>.</summary>
    private protected LineageFacet(string schemaUrl) => SchemaUrl = schemaUrl;
}

/// <summary>The run facets Sluice writes, keyed in JSON by their spec names; null ones are left out.</summary>
public sealed record RunFacets
{
    /// <summary>The run this one is part of (a DAG run for a task attempt, the <c>sluice models</c> invocation for a model).</summary>
    [JsonPropertyName("parent")]
    public ParentRunFacet? Parent { get; init; }

    /// <summary>Why the run failed (FAIL events).</summary>
    [JsonPropertyName("errorMessage")]
    public ErrorMessageRunFacet? ErrorMessage { get; init; }

    /// <summary>The time the run was scheduled for (a DAG run's data interval).</summary>
    [JsonPropertyName("nominalTime")]
    public NominalTimeRunFacet? NominalTime { get; init; }
}

/// <summary>The job facets Sluice writes, keyed in JSON by their spec names; null ones are left out.</summary>
public sealed record JobFacets
{
    /// <summary>Streaming or batch, which integration, what kind of job.</summary>
    [JsonPropertyName("jobType")]
    public JobTypeJobFacet? JobType { get; init; }

    /// <summary>The SQL the job runs (a model's compiled SQL).</summary>
    [JsonPropertyName("sql")]
    public SqlJobFacet? Sql { get; init; }
}

/// <summary>The dataset facets Sluice writes, keyed in JSON by their spec names; null ones are left out.</summary>
public sealed record DatasetFacets
{
    /// <summary>The dataset's columns, when the connector or warehouse knows them.</summary>
    [JsonPropertyName("schema")]
    public SchemaDatasetFacet? Schema { get; init; }
}

/// <summary>The spec's <c>ParentRunFacet</c>: the run (and its job) that started this run.</summary>
public sealed record ParentRunFacet() : LineageFacet("https://openlineage.io/spec/facets/1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet")
{
    /// <summary>The parent run.</summary>
    [JsonPropertyName("run")]
    public required ParentRunReference Run { get; init; }

    /// <summary>The parent run's job.</summary>
    [JsonPropertyName("job")]
    public required ParentJobReference Job { get; init; }

    /// <summary>A parent facet pointing at run <paramref name="runId"/> of <paramref name="job"/>.</summary>
    public static ParentRunFacet Of(Guid runId, LineageJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new ParentRunFacet { Run = new ParentRunReference { RunId = runId }, Job = new ParentJobReference { Namespace = job.Namespace, Name = job.Name } };
    }
}

/// <summary>The <c>run</c> of a <see cref="ParentRunFacet"/>.</summary>
public sealed record ParentRunReference
{
    /// <summary>The parent run's id.</summary>
    [JsonPropertyName("runId")]
    public required Guid RunId { get; init; }
}

/// <summary>The <c>job</c> of a <see cref="ParentRunFacet"/>.</summary>
public sealed record ParentJobReference
{
    /// <summary>The parent job's namespace.</summary>
    [JsonPropertyName("namespace")]
    public required string Namespace { get; init; }

    /// <summary>The parent job's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }
}

/// <summary>The spec's <c>ErrorMessageRunFacet</c>: why a run failed.</summary>
public sealed record ErrorMessageRunFacet() : LineageFacet("https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet")
{
    /// <summary>The error message.</summary>
    [JsonPropertyName("message")]
    public required string Message { get; init; }

    /// <summary>The language the failing code is written in (<c>C#</c>).</summary>
    [JsonPropertyName("programmingLanguage")]
    public string ProgrammingLanguage { get; init; } = "C#";

    /// <summary>The exception with its stack trace, when there is one.</summary>
    [JsonPropertyName("stackTrace")]
    public string? StackTrace { get; init; }

    /// <summary>The facet for <paramref name="error"/>: its message, and its <c>ToString()</c> (type, message, stack, inner exceptions) as the stack trace.</summary>
    public static ErrorMessageRunFacet Of(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new ErrorMessageRunFacet { Message = error.Message, StackTrace = error.ToString() };
    }
}

/// <summary>The spec's <c>NominalTimeRunFacet</c>: the time a scheduled run was meant for.</summary>
public sealed record NominalTimeRunFacet() : LineageFacet("https://openlineage.io/spec/facets/1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet")
{
    /// <summary>The start of the scheduled interval (UTC).</summary>
    [JsonPropertyName("nominalStartTime")]
    public required DateTimeOffset NominalStartTime { get; init; }

    /// <summary>The end of the scheduled interval (UTC), when it has one.</summary>
    [JsonPropertyName("nominalEndTime")]
    public DateTimeOffset? NominalEndTime { get; init; }
}

/// <summary>The spec's <c>JobTypeJobFacet</c>: streaming or batch, the integration (<c>SLUICE</c>), the kind of job.</summary>
public sealed record JobTypeJobFacet() : LineageFacet("https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet")
{
    /// <summary>The <see cref="Integration"/> of every Sluice job.</summary>
    public const string SluiceIntegration = "SLUICE";

    /// <summary><c>STREAMING</c> or <c>BATCH</c>.</summary>
    [JsonPropertyName("processingType")]
    public required ProcessingType ProcessingType { get; init; }

    /// <summary>The integration that ran the job (<see cref="SluiceIntegration"/>).</summary>
    [JsonPropertyName("integration")]
    public string Integration { get; init; } = SluiceIntegration;

    /// <summary>The kind of job: <c>JOB</c> (a streaming job), <c>MODEL</c>, <c>DAG</c>, <c>TASK</c>, <c>COMMAND</c> (see <see cref="LineageJobTypes"/>).</summary>
    [JsonPropertyName("jobType")]
    public string? JobType { get; init; }
}

/// <summary>The <c>processingType</c> of a <see cref="JobTypeJobFacet"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProcessingType>))]
public enum ProcessingType
{
    /// <summary>A batch job: it reads bounded input and ends (a model, a seed, a bounded backfill, a DAG task).</summary>
    [JsonStringEnumMemberName("BATCH")]
    Batch,

    /// <summary>A streaming job: it runs until stopped (a job over unbounded sources).</summary>
    [JsonStringEnumMemberName("STREAMING")]
    Streaming,
}

/// <summary>The <c>jobType</c> values Sluice writes in a <see cref="JobTypeJobFacet"/>.</summary>
public static class LineageJobTypes
{
    /// <summary>A streaming (or bounded) dataflow job.</summary>
    public const string Job = "JOB";

    /// <summary>A SQL model, seed or data test of a models project.</summary>
    public const string Model = "MODEL";

    /// <summary>A whole command (e.g. one <c>sluice models build</c> invocation, the parent of its models' runs).</summary>
    public const string Command = "COMMAND";

    /// <summary>A DAG run (the parent of its task attempts).</summary>
    public const string Dag = "DAG";

    /// <summary>A task attempt of a DAG run.</summary>
    public const string Task = "TASK";
}

/// <summary>The spec's <c>SQLJobFacet</c>: the SQL a job runs.</summary>
public sealed record SqlJobFacet() : LineageFacet("https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet")
{
    /// <summary>The SQL text.</summary>
    [JsonPropertyName("query")]
    public required string Query { get; init; }
}

/// <summary>The spec's <c>SchemaDatasetFacet</c>: a dataset's columns.</summary>
public sealed record SchemaDatasetFacet() : LineageFacet("https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet")
{
    /// <summary>The columns, in order.</summary>
    [JsonPropertyName("fields")]
    public required IReadOnlyList<SchemaField> Fields { get; init; }
}

/// <summary>One column of a <see cref="SchemaDatasetFacet"/>.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">Its type as the system holding the dataset names it (e.g. <c>BIGINT</c>, <c>VARCHAR</c>); null when unknown.</param>
public sealed record SchemaField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string? Type);
