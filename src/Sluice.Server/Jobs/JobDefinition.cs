using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Server.Jobs;

/// <summary>
/// What the server needs to run a job again at its next start: its id and name, the SQL script or registered job name
/// with its arguments, its options and the savepoint to resume from. Persisted as <c>jobs/&lt;id&gt;.json</c> by
/// <see cref="JobDefinitionStore"/>. Immutable.
/// </summary>
/// <remarks>
/// The file is JSON, camelCase, with <c>"version": 1</c> (<see cref="CurrentVersion"/>). A later version may add
/// properties (older readers ignore them) and bumps the version only when a property changes meaning or disappears;
/// this build reads version 1. Pinned by a golden test.
/// </remarks>
internal sealed record JobDefinition
{
    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The format version.</summary>
    [JsonPropertyOrder(0)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The server's id of the job (32 hex digits).</summary>
    [JsonPropertyOrder(1)]
    public required string Id { get; init; }

    /// <summary>The job's name.</summary>
    [JsonPropertyOrder(2)]
    public required string Name { get; init; }

    /// <summary>The SQL script, for a SQL job (exclusive with <see cref="Job"/>).</summary>
    [JsonPropertyOrder(3)]
    public string? Sql { get; init; }

    /// <summary>The registered job's name, for a C# job.</summary>
    [JsonPropertyOrder(4)]
    public string? Job { get; init; }

    /// <summary>The registered job's arguments (empty for SQL).</summary>
    [JsonPropertyOrder(5)]
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    /// <summary>The job's default parallelism.</summary>
    [JsonPropertyOrder(6)]
    public int Parallelism { get; init; } = 1;

    /// <summary>Milliseconds between checkpoints.</summary>
    [JsonPropertyOrder(7)]
    public long CheckpointIntervalMs { get; init; } = ServerJobs.DefaultCheckpointIntervalMs;

    /// <summary>The savepoint to resume from (full path), or null: the latest checkpoint in the job's checkpoint directory.</summary>
    [JsonPropertyOrder(8)]
    public string? Savepoint { get; init; }

    /// <summary>When the job was first submitted (UTC).</summary>
    [JsonPropertyOrder(9)]
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The definition as indented UTF-8 JSON (LF line ends).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, JobDefinitionJson.Default.JobDefinition);

    /// <summary>Reads a definition written by <see cref="ToJson"/> (this or an older version).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a job definition, or one of a newer version; the message names <paramref name="source"/>.</exception>
    public static JobDefinition FromJson(ReadOnlySpan<byte> json, string source)
    {
        JobDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize(json, JobDefinitionJson.Default.JobDefinition);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The job definition '{source}' is not valid JSON: {e.Message}", e);
        }
        if (definition is null)
        {
            throw new InvalidDataException($"The job definition '{source}' is null, not a job definition.");
        }
        if (definition.Version is < 1 or > CurrentVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The job definition '{source}' has version {definition.Version}; this server reads versions 1 to {CurrentVersion}: run a newer Sluice."));
        }
        if ((definition.Sql is null) == (definition.Job is null))
        {
            throw new InvalidDataException($"The job definition '{source}' must have exactly one of 'sql' and 'job'.");
        }
        return definition;
    }
}

/// <summary>The source-generated JSON of <see cref="JobDefinition"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobDefinition))]
internal sealed partial class JobDefinitionJson : JsonSerializerContext;
