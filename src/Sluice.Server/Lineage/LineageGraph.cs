using Sluice.Lineage;

namespace Sluice.Server.Lineage;

/// <summary>
/// Jobs and datasets linked by reads and writes, from run events: a job node per job (with its last run's state), a
/// dataset node per dataset, an edge dataset → job per input and job → dataset per output. A job's datasets are
/// those of its latest run that named any. Node ids: <c>job:{namespace}/{name}</c>, <c>dataset:{namespace}/{name}</c>.
/// </summary>
/// <param name="Nodes">Jobs first, then datasets, each sorted by id.</param>
/// <param name="Edges">Sorted by source, then target.</param>
internal sealed record LineageGraph(IReadOnlyList<LineageGraphNode> Nodes, IReadOnlyList<LineageGraphEdge> Edges)
{
    public static LineageGraph From(IReadOnlyList<RunEvent> events)
    {
        var jobs = new SortedDictionary<string, LineageGraphNode>(StringComparer.Ordinal);
        var datasets = new SortedDictionary<string, LineageGraphNode>(StringComparer.Ordinal);
        var edgesOf = new Dictionary<string, List<LineageGraphEdge>>(StringComparer.Ordinal);
        foreach (var runEvent in events)
        {
            var jobId = "job:" + runEvent.Job.Namespace + "/" + runEvent.Job.Name;
            jobs[jobId] = new LineageGraphNode(jobId, "job", runEvent.Job.Namespace, runEvent.Job.Name,
                runEvent.EventType.ToString().ToUpperInvariant(), runEvent.EventTime, runEvent.Run.RunId,
                runEvent.Job.Facets.JobType?.ProcessingType.ToString().ToUpperInvariant(), runEvent.Run.Facets.ErrorMessage?.Message, null);
            if (runEvent.Inputs.Count + runEvent.Outputs.Count == 0)
            {
                continue;
            }
            var edges = new List<LineageGraphEdge>();
            foreach (var input in runEvent.Inputs)
            {
                edges.Add(new LineageGraphEdge(AddDataset(datasets, input), jobId));
            }
            foreach (var output in runEvent.Outputs)
            {
                edges.Add(new LineageGraphEdge(jobId, AddDataset(datasets, output)));
            }
            edgesOf[jobId] = edges;
        }
        var allEdges = edgesOf.Values.SelectMany(e => e).Distinct().OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ToList();
        return new LineageGraph([.. jobs.Values, .. datasets.Values], allEdges);
    }

    private static string AddDataset(SortedDictionary<string, LineageGraphNode> datasets, LineageDataset dataset)
    {
        var id = "dataset:" + dataset.Namespace + "/" + dataset.Name;
        var fields = dataset.Facets.Schema?.Fields.Select(f => f.Type is null ? f.Name : f.Name + " " + f.Type).ToList();
        if (!datasets.TryGetValue(id, out var known) || fields is not null)
        {
            datasets[id] = new LineageGraphNode(id, "dataset", dataset.Namespace, dataset.Name, null, null, null, null, null, fields ?? known?.Fields);
        }
        return id;
    }
}

/// <summary>A node of a <see cref="LineageGraph"/>.</summary>
/// <param name="Id"><c>job:…</c> or <c>dataset:…</c>.</param>
/// <param name="Kind"><c>job</c> or <c>dataset</c>.</param>
/// <param name="Namespace">The OpenLineage namespace.</param>
/// <param name="Name">The OpenLineage name.</param>
/// <param name="State">A job's last event type (<c>START</c>, <c>COMPLETE</c>, <c>FAIL</c>, <c>ABORT</c>…); null for datasets.</param>
/// <param name="LastEventTime">When a job's last event happened.</param>
/// <param name="LastRunId">A job's last run.</param>
/// <param name="ProcessingType"><c>STREAMING</c> or <c>BATCH</c>, for jobs.</param>
/// <param name="Error">The error of a job whose last run failed.</param>
/// <param name="Fields">A dataset's columns (<c>name type</c>), when a schema facet named them.</param>
internal sealed record LineageGraphNode(string Id, string Kind, string Namespace, string Name, string? State, DateTimeOffset? LastEventTime, Guid? LastRunId,
    string? ProcessingType, string? Error, IReadOnlyList<string>? Fields);

/// <summary>An edge of a <see cref="LineageGraph"/>: a dataset read by a job, or a job writing a dataset.</summary>
internal sealed record LineageGraphEdge(string From, string To);
