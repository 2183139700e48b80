using Sluice.Plans;

namespace Sluice.Server.Jobs;

/// <summary>
/// One job of the server: its <see cref="JobDefinition"/> (what resumes it after a restart), the client of its
/// current run, and the history the server keeps of it — completed checkpoints and status changes, each capped at
/// <see cref="HistoryLimit"/>, newest first. Thread-safe: the histories are written on job threads and read by requests.
/// Operations that change the job (stop, savepoint, delete) are serialized by <see cref="Operations"/>.
/// </summary>
internal sealed class ServerJob
{
    /// <summary>The most checkpoints and status changes kept per job.</summary>
    public const int HistoryLimit = 100;

    private readonly Lock _lock = new();
    private readonly LinkedList<JobCheckpoint> _checkpoints = new();
    private readonly LinkedList<JobException> _exceptions = new();
    private readonly TimeProvider _time;
    private JobDefinition _definition;
    private JobClient? _client;

    public ServerJob(JobDefinition definition, string checkpointDirectory, string? restoredFrom, TimeProvider time)
    {
        _definition = definition;
        CheckpointDirectory = checkpointDirectory;
        RestoredFrom = restoredFrom;
        _time = time;
        StartTime = time.GetUtcNow();
    }

    /// <summary>The server's id of the job.</summary>
    public string Id => _definition.Id;

    /// <summary>What resumes the job (replaced when its name is known or a savepoint is taken at shutdown).</summary>
    public JobDefinition Definition
    {
        get => Volatile.Read(ref _definition);
        set => Volatile.Write(ref _definition, value);
    }

    /// <summary>The job's checkpoint store's directory, <c>checkpoints/&lt;id&gt;</c>.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>The savepoint this run started from, if any.</summary>
    public string? RestoredFrom { get; }

    /// <summary>When this run was submitted.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>Serializes stop, savepoint and delete of this job.</summary>
    public SemaphoreSlim Operations { get; } = new(1, 1);

    /// <summary>The current run; set by <see cref="Attach"/> before the run starts.</summary>
    /// <exception cref="InvalidOperationException">The job was not attached yet (a bug).</exception>
    public JobClient Client => Volatile.Read(ref _client) ?? throw new InvalidOperationException($"Job {Id} has no run attached.");

    /// <summary>Whether a run is attached.</summary>
    public bool HasClient => Volatile.Read(ref _client) is not null;

    /// <summary>Set when the user stopped or deleted the job: it is no longer resumed.</summary>
    public bool Retired { get; set; }

    /// <summary>The newest checkpoint this run completed, or null before the first.</summary>
    public JobCheckpoint? LatestCheckpoint
    {
        get
        {
            lock (_lock)
            {
                return _checkpoints.First?.Value;
            }
        }
    }

    /// <summary>Binds the run to this job and subscribes to its events; called by the registry before the run starts.</summary>
    public void Attach(JobClient client)
    {
        client.StatusChanged += OnStatusChanged;
        client.CheckpointStatisticsCompleted += OnCheckpoint;
        Volatile.Write(ref _client, client);
    }

    /// <summary>The job as <c>GET /api/jobs</c> lists it.</summary>
    public JobSummary ToSummary()
    {
        var client = Client;
        var definition = Definition;
        return new JobSummary(Id, client.JobName, Kind(definition), client.Status.ToString(), StartTime, client.Id.ToString());
    }

    /// <summary>The job as <c>GET /api/jobs/{id}</c> shows it; the metrics are read now.</summary>
    public JobDetails ToDetails()
    {
        var client = Client;
        var definition = Definition;
        var metrics = client.GetOperatorMetrics();
        var perSubtask = new List<JobOperatorMetrics>(metrics.Count);
        var totals = new List<JobOperatorTotals>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            perSubtask.Add(new JobOperatorMetrics(m.Operator, m.Uid, m.Subtask, m.IsSource, m.RecordsIn, m.RecordsOut, m.Watermark, m.LateRecords));
            if (index.TryGetValue(m.Uid, out var i))
            {
                var t = totals[i];
                totals[i] = t with
                {
                    Subtasks = t.Subtasks + 1,
                    RecordsIn = t.RecordsIn + m.RecordsIn,
                    RecordsOut = t.RecordsOut + m.RecordsOut,
                    Watermark = Math.Min(t.Watermark, m.Watermark),
                    LateRecords = t.LateRecords + m.LateRecords,
                };
            }
            else
            {
                index[m.Uid] = totals.Count;
                totals.Add(new JobOperatorTotals(m.Operator, m.Uid, 1, m.IsSource, m.RecordsIn, m.RecordsOut, m.Watermark, m.LateRecords));
            }
        }
        JobCheckpoint[] checkpoints;
        JobException[] exceptions;
        lock (_lock)
        {
            checkpoints = [.. _checkpoints];
            exceptions = [.. _exceptions];
        }
        return new JobDetails(Id, client.JobName, Kind(definition), client.Status.ToString(), StartTime, client.Id.ToString(),
            definition.Parallelism, definition.CheckpointIntervalMs, definition.Sql is { } sql ? Sluice.Sql.SqlScripts.MaskSecrets(sql) : null, definition.Job, definition.Job is null ? null : definition.Args,
            RestoredFrom, Graph(client.PlanDescription), perSubtask, totals,
            [.. client.GetTaskTimes().Select(t => new JobTaskTime(t.Task, t.Subtask, t.Operators, t.Busy.TotalSeconds, t.Backpressured.TotalSeconds, t.Idle.TotalSeconds, t.BackpressuredRatio))],
            checkpoints, exceptions, Sluice.Quality.QualityMetrics.Totals(client.Id));
    }

    /// <summary>The plan graph of <paramref name="plan"/>.</summary>
    public static JobPlanGraph Graph(PlanDescription plan)
    {
        var nodes = new List<JobPlanNode>(plan.Operators.Count);
        foreach (var op in plan.Operators)
        {
            nodes.Add(new JobPlanNode(op.Id, op.Uid, op.Name, op.Kind.ToString(), op.Parallelism, op.Task, op.Keyed));
        }
        var edges = new List<JobPlanEdge>(plan.Edges.Count);
        foreach (var edge in plan.Edges)
        {
            edges.Add(new JobPlanEdge(edge.Source, edge.Target, PartitioningName(edge.Partitioning), edge.Chained, edge.SideOutput));
        }
        return new JobPlanGraph(nodes, edges);
    }

    private static string PartitioningName(Partitioning partitioning) => partitioning switch
    {
        Partitioning.Forward => "forward",
        Partitioning.Hash => "hash",
        Partitioning.Rebalance => "rebalance",
        _ => partitioning.ToString().ToLowerInvariant(),
    };

    private static string Kind(JobDefinition definition) => definition.Sql is not null ? "sql" : "registered";

    private void OnStatusChanged(JobStatusChange change)
    {
        var entry = new JobException(_time.GetUtcNow(), change.OldStatus.ToString(), change.NewStatus.ToString(),
            change.Cause?.GetType().FullName, change.Cause?.Message);
        lock (_lock)
        {
            _exceptions.AddFirst(entry);
            if (_exceptions.Count > HistoryLimit)
            {
                _exceptions.RemoveLast();
            }
        }
    }

    private void OnCheckpoint(CheckpointStatistics statistics)
    {
        var entry = new JobCheckpoint(statistics.Id, statistics.Triggered, statistics.Duration.TotalMilliseconds, statistics.Bytes, statistics.Final);
        lock (_lock)
        {
            _checkpoints.AddFirst(entry);
            if (_checkpoints.Count > HistoryLimit)
            {
                _checkpoints.RemoveLast();
            }
        }
    }
}
