namespace Sluice.Server.Jobs;

/// <summary>
/// The body of <c>POST /api/jobs</c>: either <see cref="Sql"/> (a script whose INSERTs run as one job) or
/// <see cref="Job"/> (a C# job registered with the server by name, see <see cref="SluiceServerOptions.Jobs"/>) with
/// its <see cref="Args"/>. Validated by <see cref="ServerJobs.SubmitAsync"/>.
/// </summary>
/// <param name="Sql">A SQL script (<c>CREATE TABLE …; INSERT INTO …</c>); exclusive with <see cref="Job"/>.</param>
/// <param name="Job">The name of a registered C# job; exclusive with <see cref="Sql"/>.</param>
/// <param name="Args">Arguments handed to the registered job (none for SQL).</param>
/// <param name="Name">The job's name; default: the SQL planner's (<c>insert-into_t</c>) or the registered job's name.</param>
/// <param name="Parallelism">The job's default parallelism, 1 to 32768; default 1.</param>
/// <param name="CheckpointIntervalMs">Milliseconds between checkpoints, at least 10; default 10000.</param>
/// <param name="FromSavepoint">A savepoint to start from: its directory (absolute) or its id (its directory's name under <c>checkpoints/savepoints/</c>).</param>
internal sealed record JobSubmission(
    string? Sql = null,
    string? Job = null,
    IReadOnlyDictionary<string, string>? Args = null,
    string? Name = null,
    int? Parallelism = null,
    long? CheckpointIntervalMs = null,
    string? FromSavepoint = null);
