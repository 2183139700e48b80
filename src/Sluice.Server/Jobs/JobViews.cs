namespace Sluice.Server.Jobs;

/// <summary>One job of <c>GET /api/jobs</c>.</summary>
/// <param name="Id">The server's id of the job: 32 hex digits, kept when the job is resumed after a restart.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Kind"><c>sql</c> or <c>registered</c>.</param>
/// <param name="Status">The job's status (<see cref="JobStatus"/> name: Created, Running, Restarting, Suspended, Finished, Failed, Cancelling, Cancelled).</param>
/// <param name="StartTime">When this run of the job was submitted (UTC).</param>
/// <param name="RunId">The id of the current run (<see cref="JobClient.Id"/>): a new one after each resume.</param>
internal sealed record JobSummary(string Id, string Name, string Kind, string Status, DateTimeOffset StartTime, string RunId);

/// <summary>What <c>POST /api/jobs</c> answers (201, with a <c>Location</c> header naming <c>/api/jobs/{id}</c>).</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Status">Its status right after submission.</param>
internal sealed record JobSubmitted(string Id, string Name, string Status);

/// <summary>One job of <c>GET /api/jobs/{id}</c>: its summary, plan, live metrics, checkpoints and exceptions.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Kind"><c>sql</c> or <c>registered</c>.</param>
/// <param name="Status">The job's status.</param>
/// <param name="StartTime">When this run was submitted (UTC).</param>
/// <param name="RunId">The id of the current run.</param>
/// <param name="Parallelism">The job's default parallelism.</param>
/// <param name="CheckpointIntervalMs">Milliseconds between checkpoints.</param>
/// <param name="Sql">The SQL script, for a SQL job.</param>
/// <param name="Job">The registered job's name, for a C# job.</param>
/// <param name="Args">The registered job's arguments.</param>
/// <param name="RestoredFrom">The savepoint the job started from, if any.</param>
/// <param name="Plan">The physical plan: operators and edges.</param>
/// <param name="Operators">Live figures, one entry per operator subtask, in plan order.</param>
/// <param name="OperatorTotals">The same figures summed per operator (watermark: the least over its subtasks).</param>
/// <param name="Tasks">Where each task subtask's time went (busy, backpressured, idle), in plan order.</param>
/// <param name="Checkpoints">Completed checkpoints of this server's runs of the job, newest first (at most 100).</param>
/// <param name="Exceptions">Status changes, with their cause when there is one, newest first (at most 100).</param>
/// <param name="Rules">The data-quality rules of the current run (<c>Expect</c>, SQL <c>CHECK</c>) with their pass and fail counts; empty without rules.</param>
internal sealed record JobDetails(
    string Id,
    string Name,
    string Kind,
    string Status,
    DateTimeOffset StartTime,
    string RunId,
    int Parallelism,
    long CheckpointIntervalMs,
    string? Sql,
    string? Job,
    IReadOnlyDictionary<string, string>? Args,
    string? RestoredFrom,
    JobPlanGraph Plan,
    IReadOnlyList<JobOperatorMetrics> Operators,
    IReadOnlyList<JobOperatorTotals> OperatorTotals,
    IReadOnlyList<JobTaskTime> Tasks,
    IReadOnlyList<JobCheckpoint> Checkpoints,
    IReadOnlyList<JobException> Exceptions,
    IReadOnlyList<Sluice.Quality.RuleTotals> Rules);

/// <summary>Where one task subtask's time went since the current run started, in seconds; <paramref name="BackpressuredRatio"/> is
/// the backpressured share (0 to 1): a task near 1 waits on a slower task downstream. <paramref name="Operators"/> are the
/// uids of the operators chained in the task, upstream first.</summary>
internal sealed record JobTaskTime(string Task, int Subtask, IReadOnlyList<string> Operators, double BusySeconds, double BackpressuredSeconds, double IdleSeconds, double BackpressuredRatio);

/// <summary>The plan graph of a job (from <see cref="JobClient.PlanDescription"/>).</summary>
/// <param name="Nodes">The operators, in topological order.</param>
/// <param name="Edges">The edges between them.</param>
internal sealed record JobPlanGraph(IReadOnlyList<JobPlanNode> Nodes, IReadOnlyList<JobPlanEdge> Edges);

/// <summary>One operator of a <see cref="JobPlanGraph"/>.</summary>
/// <param name="Id">Its position in topological order, from 0 (edges refer to it).</param>
/// <param name="Uid">Its stable id (checkpoints, metrics).</param>
/// <param name="Name">Its display name.</param>
/// <param name="Kind">What it does (<c>Source</c>, <c>Map</c>, <c>Window</c>, <c>Sink</c>…).</param>
/// <param name="Parallelism">Subtasks it runs in.</param>
/// <param name="Task">The task (operator chain) it runs in.</param>
/// <param name="Keyed">Whether its input is partitioned by key.</param>
internal sealed record JobPlanNode(int Id, string Uid, string Name, string Kind, int Parallelism, int Task, bool Keyed);

/// <summary>One edge of a <see cref="JobPlanGraph"/>.</summary>
/// <param name="Source">The upstream node id.</param>
/// <param name="Target">The downstream node id.</param>
/// <param name="Partitioning"><c>forward</c>, <c>hash</c> or <c>rebalance</c>.</param>
/// <param name="Chained">True when both run in one task (a direct call, no exchange).</param>
/// <param name="SideOutput">The side output the edge carries, or null for the main output.</param>
internal sealed record JobPlanEdge(int Source, int Target, string Partitioning, bool Chained, string? SideOutput);

/// <summary>Live figures of one operator subtask: every property of <see cref="OperatorMetrics"/>.</summary>
/// <param name="Operator">The operator's name.</param>
/// <param name="Uid">Its stable id.</param>
/// <param name="Subtask">The subtask index.</param>
/// <param name="IsSource">True for a source.</param>
/// <param name="RecordsIn">Records handed to it since the current attempt started.</param>
/// <param name="RecordsOut">Records it emitted on its main output.</param>
/// <param name="Watermark">Its event-time watermark, Unix ms; <see cref="long.MinValue"/> before the first.</param>
/// <param name="LateRecords">Records it classified as late.</param>
internal sealed record JobOperatorMetrics(string Operator, string Uid, int Subtask, bool IsSource, long RecordsIn, long RecordsOut, long Watermark, long LateRecords);

/// <summary>The figures of <see cref="JobOperatorMetrics"/> summed over one operator's subtasks.</summary>
/// <param name="Operator">The operator's name.</param>
/// <param name="Uid">Its stable id.</param>
/// <param name="Subtasks">Subtasks reporting.</param>
/// <param name="IsSource">True for a source.</param>
/// <param name="RecordsIn">Sum over the subtasks.</param>
/// <param name="RecordsOut">Sum over the subtasks.</param>
/// <param name="Watermark">The least watermark of its subtasks (the operator's event-time progress).</param>
/// <param name="LateRecords">Sum over the subtasks.</param>
internal sealed record JobOperatorTotals(string Operator, string Uid, int Subtasks, bool IsSource, long RecordsIn, long RecordsOut, long Watermark, long LateRecords);

/// <summary>One completed checkpoint of a job.</summary>
/// <param name="Id">The checkpoint id.</param>
/// <param name="Time">When it was triggered (UTC).</param>
/// <param name="DurationMs">From trigger to durable manifest and committed sinks, milliseconds.</param>
/// <param name="SizeBytes">Bytes of state it wrote.</param>
/// <param name="Final">True for the checkpoint taken when the sources ended (a stop or the end of input).</param>
internal sealed record JobCheckpoint(long Id, DateTimeOffset Time, double DurationMs, long SizeBytes, bool Final);

/// <summary>One status change of a job, with its cause when there is one.</summary>
/// <param name="Time">When it happened (UTC).</param>
/// <param name="From">The old status.</param>
/// <param name="To">The new status.</param>
/// <param name="ExceptionType">The cause's type (full name), or null.</param>
/// <param name="Message">The cause's message, or null.</param>
internal sealed record JobException(DateTimeOffset Time, string From, string To, string? ExceptionType, string? Message);

/// <summary>A savepoint taken by <c>POST /api/jobs/{id}/savepoints</c> or a stop with a savepoint.</summary>
/// <param name="Id">The savepoint's id: its directory's name under <c>checkpoints/savepoints/</c> (give it as <c>fromSavepoint</c>).</param>
/// <param name="Path">Its directory (full path).</param>
/// <param name="CheckpointId">The checkpoint it copies.</param>
internal sealed record JobSavepoint(string Id, string Path, long CheckpointId);

/// <summary>What <c>POST /api/jobs/{id}/stop</c> answers.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Status">Its status once stopped.</param>
/// <param name="Savepoint">The savepoint taken, when asked for.</param>
internal sealed record JobStopped(string Id, string Status, JobSavepoint? Savepoint);
