using System.Data.Common;
using Sluice.Lineage;
using Sluice.Models.Project;

namespace Sluice.Models.Execution;

/// <summary>
/// The OpenLineage runs of one models command: the invocation is a parent run (job <c>{project}</c>, jobType
/// <c>COMMAND</c>), and each model, seed and test node a child run (job = the node's unique id, jobType <c>MODEL</c>)
/// with START when it begins and COMPLETE or FAIL when it ends. Inputs are the relations the node reads (its refs and
/// sources, through ephemeral models), outputs the relation it builds, with a schema facet read back from the
/// warehouse after the build; the compiled SQL is the sql facet. Seeds read their CSV file. Skipped nodes emit nothing.
/// </summary>
/// <remarks>Lineage never fails a node: a catalog query for the schema facet that fails leaves the facet out.</remarks>
internal sealed class ModelLineage
{
    private readonly ILineageEmitter _emitter;
    private readonly ModelProject _project;
    private readonly Warehouse _warehouse;
    private readonly string _namespace;
    private readonly LineageRunScope? _invocation; // null when the command is part of another run (a DAG task attempt)
    private readonly ParentRunFacet _parent;

    /// <summary>Starts the invocation's run, or, with <paramref name="parent"/>, nests every node's run under that run instead.</summary>
    public ModelLineage(ILineageEmitter emitter, ModelProject project, Warehouse warehouse, string jobNamespace, ParentRunFacet? parent = null)
    {
        _emitter = emitter;
        _project = project;
        _warehouse = warehouse;
        _namespace = jobNamespace;
        if (parent is null)
        {
            _invocation = LineageRunScope.Start(emitter,
                LineageJobNames.Job(jobNamespace, project.Name, ProcessingType.Batch, LineageJobTypes.Command), [], []);
        }
        _parent = parent ?? _invocation!.AsParent();
    }

    /// <summary>Ends the invocation's run: COMPLETE when every node succeeded, else FAIL naming the failed nodes (nothing when nested under another run).</summary>
    public void End(IReadOnlyList<NodeResult> results)
    {
        if (_invocation is null)
        {
            return;
        }
        var failed = results.Where(r => r.IsFailure).Select(r => r.UniqueId).ToList();
        if (failed.Count == 0)
        {
            _invocation.Complete();
        }
        else
        {
            _invocation.Fail($"{failed.Count} node(s) failed: {string.Join(", ", failed.Take(10))}{(failed.Count > 10 ? ", …" : "")}");
        }
    }

    /// <summary>Ends the invocation's run as ABORT (the command was cancelled).</summary>
    public void Abort() => _invocation?.Abort();

    /// <summary>Emits START for <paramref name="node"/> (with <paramref name="sql"/> as its sql facet when it has SQL).</summary>
    public LineageRunScope Start(ProjectNode node, string? sql) =>
        LineageRunScope.Start(_emitter,
            LineageJobNames.Job(_namespace, node.UniqueId, ProcessingType.Batch, LineageJobTypes.Model, string.IsNullOrEmpty(sql) ? null : sql),
            Inputs(node), Outputs(node), _parent);

    /// <summary>Emits COMPLETE (with the built relation's columns) or FAIL (with the result's message) for <paramref name="run"/>.</summary>
    public async Task EndAsync(LineageRunScope run, ProjectNode node, NodeResult result, CancellationToken cancellationToken)
    {
        if (result.IsFailure)
        {
            run.Fail(result.Message);
            return;
        }
        if (node.Kind == NodeKind.Test || run.Outputs.Count == 0)
        {
            run.Complete();
            return;
        }
        var fields = await ColumnsAsync(_project.RelationOf(node), cancellationToken).ConfigureAwait(false);
        run.Complete([run.Outputs[0].WithSchema(fields)]);
    }

    /// <summary>The dataset of a relation of the target.</summary>
    public LineageDataset Dataset(Relation relation)
    {
        var target = _warehouse.Target;
        if (target.Type == TargetType.DuckDb)
        {
            return DatasetNames.DuckDb(target.DuckDbPath!, relation.Schema, relation.Identifier);
        }
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString);
        return DatasetNames.Postgres(builder.Host ?? "localhost", builder.Port, builder.Database ?? builder.Username ?? "postgres", relation.Schema, relation.Identifier);
    }

    private List<LineageDataset> Inputs(ProjectNode node)
    {
        if (node.Kind == NodeKind.Seed)
        {
            return node.SeedFile is null ? [] : [DatasetNames.File(node.SeedFile)];
        }
        var inputs = new List<LineageDataset>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(node.DependsOn.Reverse());
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!seen.Add(id))
            {
                continue;
            }
            var parent = _project.Nodes[id];
            if (parent.Kind == NodeKind.Model && parent.Materialization == Materialization.Ephemeral)
            {
                // An ephemeral model is inlined as a CTE: what it reads is what this node reads.
                foreach (var grandparent in parent.DependsOn.Reverse())
                {
                    stack.Push(grandparent);
                }
            }
            else if (parent.Kind is NodeKind.Model or NodeKind.Seed or NodeKind.Source)
            {
                inputs.Add(Dataset(_project.RelationOf(parent)));
            }
        }
        return inputs;
    }

    private List<LineageDataset> Outputs(ProjectNode node) =>
        node.Kind is NodeKind.Model or NodeKind.Seed ? [Dataset(_project.RelationOf(node))] : [];

    private async Task<List<SchemaField>> ColumnsAsync(Relation relation, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _warehouse.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "select column_name, data_type from information_schema.columns where table_schema = "
                + Warehouse.Literal(relation.Schema) + " and table_name = " + Warehouse.Literal(relation.Identifier) + " order by ordinal_position";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var fields = new List<SchemaField>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                fields.Add(new SchemaField(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
            return fields;
        }
        catch (Exception e) when (e is DbException or ModelProjectException or InvalidOperationException)
        {
            return []; // the schema facet is optional: lineage never fails the node that was built
        }
    }
}
