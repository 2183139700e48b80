using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Sluice.Server;

/// <summary>
/// How a <see cref="SluiceServer"/> starts: where its data lives and where it listens. Immutable; validated by
/// <see cref="SluiceServer.StartAsync"/>.
/// </summary>
public sealed record SluiceServerOptions
{
    /// <summary>The default port, as Flink's REST endpoint uses.</summary>
    public const int DefaultPort = 8081;

    /// <summary>
    /// The server's data directory: the embedded log (<c>log/</c>), checkpoints and savepoints (<c>checkpoints/</c>),
    /// the DuckDB warehouse (<c>warehouse.duckdb</c>), the jobs to resume (<c>jobs/</c>) and the API token
    /// (<c>server.token</c>). Created when missing.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address to listen on; loopback by default. Any other address is logged as a warning at start.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (read it back from <see cref="SluiceServer.Address"/>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The largest request body accepted (bytes); a larger one is answered 413. Default 16 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 16L << 20;

    /// <summary>
    /// Where to send traces and metrics over OTLP (e.g. <c>http://localhost:4317</c>); null sends nothing unless the
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable names an endpoint (see docs/server.md, "Metrics").
    /// </summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>
    /// A folder of DAG files (docs/orchestration.md) the server schedules, its run history under
    /// <c>orchestration/</c> of the data directory; null (the default) runs no DAGs. A file that does not load fails the
    /// start (<see cref="ArgumentException"/> with the file, line, DAG and task).
    /// </summary>
    public string? DagsDirectory { get; init; }

    /// <summary>The logger factory of the server and its jobs; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Where <c>GET /api/decide/{user}</c> reads users' latest decisions (a Redis written by a decision pipeline, see
    /// docs/examples.md, "Decision path"); null (the default) does not serve the endpoint.
    /// </summary>
    public Decisions.DecisionStoreOptions? Decisions { get; init; }

    /// <summary>
    /// The PostgreSQL wire-protocol endpoint (docs/server.md, "PostgreSQL wire protocol"): SQL clients such as psql,
    /// Npgsql and Grafana query the warehouse and the lake through it. Null (the default of the library; <c>sluice server</c> serves it on port 4566 unless
    /// <c>--pg-port 0</c>) does not serve it.
    /// </summary>
    public PgWire.PgWireOptions? PgWire { get; init; }

    /// <summary>
    /// C# jobs clients may submit by name (<c>POST /api/jobs</c> with <c>{"job": "name", "args": {…}}</c>): each builds
    /// its job's sources, operators and sinks on the <see cref="StreamEnvironment"/> it is given (whose options — name,
    /// parallelism, checkpoints — the server sets) from the submission's arguments. Called on the request's thread (or
    /// at the next start, to resume the job); an exception is answered 400 with its message. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, Action<IReadOnlyDictionary<string, string>, StreamEnvironment>> Jobs { get; init; } =
        FrozenDictionary<string, Action<IReadOnlyDictionary<string, string>, StreamEnvironment>>.Empty;
}
