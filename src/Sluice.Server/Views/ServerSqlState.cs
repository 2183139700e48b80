using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Server.Views;

/// <summary>
/// What the server's SQL front end keeps across restarts, in <c>sql-catalog.json</c> of the data directory: the tables
/// created over the PostgreSQL endpoint (their DDL, as the SQL formatter writes it) and the materialized views (their
/// query and the id of the job maintaining each). Immutable; replaced as a whole, atomically, at every change.
/// </summary>
/// <remarks>
/// JSON, camelCase, with <c>"version": 1</c> (<see cref="CurrentVersion"/>). A later version may add properties (older
/// readers ignore them) and bumps the version only when a property changes meaning or disappears. Pinned by a golden
/// test. The DDL may hold secret options (<c>'password' = '…'</c>): the file is written readable by its owner only.
/// </remarks>
internal sealed record ServerSqlState
{
    /// <summary>The file name under the data directory.</summary>
    public const string FileName = "sql-catalog.json";

    /// <summary>The format version this build writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The format version.</summary>
    [JsonPropertyOrder(0)]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The tables, in creation order.</summary>
    [JsonPropertyOrder(1)]
    public IReadOnlyList<ServerSqlTable> Tables { get; init; } = [];

    /// <summary>The materialized views, in creation order.</summary>
    [JsonPropertyOrder(2)]
    public IReadOnlyList<MaterializedViewDefinition> Views { get; init; } = [];

    /// <summary>The state as indented UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ServerSqlStateJson.Default.ServerSqlState);

    /// <summary>Reads a state written by <see cref="ToJson"/> (this or an older version).</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a state, or one of a newer version; the message names <paramref name="source"/>.</exception>
    public static ServerSqlState FromJson(ReadOnlySpan<byte> json, string source)
    {
        ServerSqlState? state;
        try
        {
            state = JsonSerializer.Deserialize(json, ServerSqlStateJson.Default.ServerSqlState);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The SQL catalog '{source}' is not valid JSON: {e.Message}", e);
        }
        if (state is null)
        {
            throw new InvalidDataException($"The SQL catalog '{source}' is null, not a SQL catalog.");
        }
        if (state.Version is < 1 or > CurrentVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The SQL catalog '{source}' has version {state.Version}; this server reads versions 1 to {CurrentVersion}: run a newer Sluice."));
        }
        return state;
    }
}

/// <summary>A table created over the endpoint: its name and its <c>CREATE TABLE</c> statement.</summary>
/// <param name="Name">The table's name.</param>
/// <param name="Ddl">The CREATE TABLE statement (Flink dialect, formatted).</param>
internal sealed record ServerSqlTable(string Name, string Ddl);

/// <summary>
/// A materialized view: its name (also the warehouse table holding its rows), its query, the key its rows are applied
/// by, and the server job maintaining it.
/// </summary>
/// <param name="Name">The view's name and its warehouse table's.</param>
/// <param name="Query">The view's query (formatted).</param>
/// <param name="Key">The columns rows are upserted and deleted by; empty when the query only inserts (rows are appended).</param>
/// <param name="JobId">The server id of the job maintaining the view.</param>
/// <param name="CheckpointIntervalMs">The job's checkpoint interval: how often the view is published, milliseconds.</param>
/// <param name="CreatedAt">When the view was created (UTC).</param>
internal sealed record MaterializedViewDefinition(string Name, string Query, IReadOnlyList<string> Key, string JobId, long CheckpointIntervalMs, DateTimeOffset CreatedAt);

/// <summary>The source-generated JSON of <see cref="ServerSqlState"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ServerSqlState))]
internal sealed partial class ServerSqlStateJson : JsonSerializerContext;
