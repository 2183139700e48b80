using System.Diagnostics;
using System.Globalization;
using Sluice.Models.Execution;
using Sluice.Models.Project;

namespace Sluice.Models;

/// <summary>
/// Runs a models command on a project folder: loads and checks the whole project first (a parse error, missing ref
/// or cycle is a <see cref="ModelProjectException"/> before anything runs), selects nodes, compiles them to
/// <c>target/compiled/</c>, runs them in dependency order in parallel (bounded by threads), and writes
/// <c>target/manifest.json</c> and <c>target/run_results.json</c>. Node failures (any exception but cancellation) are results, not exceptions.
/// </summary>
public static class ModelRunner
{
    /// <summary>Runs <paramref name="options"/>; progress events arrive on worker threads, one per start and finish.</summary>
    public static async Task<ModelRunReport> RunAsync(ModelRunOptions options, IProgress<ModelRunEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var directory = Path.GetFullPath(options.ProjectDirectory);
        var target = ModelTarget.Resolve(directory, options.ProfilesDirectory, ModelProject.ProfileName(directory), options.Target);
        var project = ModelProject.Load(directory, target, options.Vars.ToDictionary(p => p.Key, p => ParseVar(p.Value)));
        var selected = NodeSelector.Select(project, options.Select, options.Exclude);
        var kinds = options.Command switch
        {
            ModelCommand.Run => [NodeKind.Model],
            ModelCommand.Test => [NodeKind.Test],
            ModelCommand.Seed => [NodeKind.Seed],
            ModelCommand.Compile => [NodeKind.Model, NodeKind.Test],
            ModelCommand.List => new[] { NodeKind.Model, NodeKind.Seed, NodeKind.Test, NodeKind.Source },
            _ => [NodeKind.Model, NodeKind.Seed, NodeKind.Test],
        };
        var nodes = project.Nodes.Values.Where(n => selected.Contains(n.UniqueId) && kinds.Contains(n.Kind)).ToList();
        var targetDirectory = Path.Combine(directory, project.TargetPath);
        var artifacts = new ModelArtifacts(project, targetDirectory);
        var ordered = TopologicalOrder(project, nodes);
        if (options.Command is ModelCommand.List or ModelCommand.Compile)
        {
            if (options.Command == ModelCommand.Compile)
            {
                foreach (var node in ordered.Where(n => n.Template is not null || n.Test is not null))
                {
                    if (node.Materialization != Materialization.Ephemeral || node.Kind != NodeKind.Model)
                    {
                        artifacts.WriteCompiled(node, ModelCompiler.Compile(project, node, isIncremental: false));
                    }
                }
            }
            artifacts.WriteManifest();
            return Report(project, [], [.. ordered.Select(n => n.UniqueId)], clock, targetDirectory);
        }

        var runnable = nodes.Where(n => !(n.Kind == NodeKind.Model && n.Materialization == Materialization.Ephemeral)).ToList();
        var warehouse = new Warehouse(target);
        await EnsureSchemasAsync(project, warehouse, runnable, cancellationToken).ConfigureAwait(false);
        var materializer = new Materializer(project, warehouse, options.FullRefresh);
        var threads = Math.Clamp(options.Threads ?? target.Threads, 1, 64);
        var scheduler = new DagScheduler(project, runnable, threads, testsGate: options.Command == ModelCommand.Build);
        var total = runnable.Count;
        var lineage = options.Lineage is { } emitter
            ? new ModelLineage(emitter, project, warehouse, options.LineageNamespace ?? Lineage.LineageJobNames.Namespace(), options.LineageParent)
            : null;
        var results = await RunNodesAsync().ConfigureAwait(false);
        lineage?.End(results);
        artifacts.WriteManifest();
        artifacts.WriteRunResults(options.Command, results, clock.Elapsed);
        return Report(project, results, [.. ordered.Select(n => n.UniqueId)], clock, targetDirectory);

        async Task<List<NodeResult>> RunNodesAsync()
        {
            try
            {
                return await RunScheduledAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lineage?.Abort();
                throw;
            }
        }

        Task<List<NodeResult>> RunScheduledAsync() => scheduler.RunAsync(
            (node, index) => Task.Run(async () =>
            {
                var description = Describe(project, node);
                progress?.Report(new ModelRunEvent(index, total, node.UniqueId, description, null));
                NodeResult result;
                Lineage.LineageRunScope? run = null;
                try
                {
                    var sql = "";
                    if (node.Kind != NodeKind.Seed)
                    {
                        sql = ModelCompiler.Compile(project, node, await materializer.IsIncrementalAsync(node, cancellationToken).ConfigureAwait(false));
                        artifacts.WriteCompiled(node, sql);
                    }
                    run = lineage?.Start(node, sql);
                    result = await materializer.RunAsync(node, sql, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Any failure is this node's result (its dependents are skipped, run_results.json is still
                    // written); only cancellation ends the run.
                    result = ErrorResult(node, e);
                }
                catch (OperationCanceledException)
                {
                    run?.Abort();
                    throw;
                }
                if (lineage is not null)
                {
                    await lineage.EndAsync(run ?? lineage.Start(node, null), node, result, cancellationToken).ConfigureAwait(false);
                }
                progress?.Report(new ModelRunEvent(index, total, node.UniqueId, description, result));
                return result;
            }, cancellationToken),
            (node, result, index) => progress?.Report(new ModelRunEvent(index, total, node.UniqueId, Describe(project, node), result)),
            cancellationToken);
    }

    /// <summary>An error result for <paramref name="node"/>; a message not already naming the node's file is prefixed with it.</summary>
    internal static NodeResult ErrorResult(ProjectNode node, Exception error)
    {
        var message = error is ModelProjectException || error.Message.StartsWith(node.Path, StringComparison.Ordinal)
            ? error.Message
            : $"{node.Path}: {error.GetType().Name}: {error.Message}";
        return new NodeResult(node.UniqueId, node.Name, node.Kind.ToString().ToLowerInvariant(), NodeStatus.Error, message, TimeSpan.Zero);
    }

    private static ModelRunReport Report(ModelProject project, IReadOnlyList<NodeResult> results, IReadOnlyList<string> selected, Stopwatch clock, string targetDirectory) => new()
    {
        Project = project.Name,
        Target = project.Target.ToString(),
        Results = results,
        Selected = selected,
        Elapsed = clock.Elapsed,
        TargetDirectory = targetDirectory,
    };

    private static string Describe(ModelProject project, ProjectNode node) => node.Kind switch
    {
        NodeKind.Seed => $"seed file {project.RelationOf(node)}",
        NodeKind.Test => $"test {node.Name}",
        _ => $"{node.Materialization.ToString().ToLowerInvariant()} model {project.RelationOf(node)}",
    };

    /// <summary>A <c>--vars</c> value: integers and decimals as numbers, true/false as booleans, anything else a string.</summary>
    private static object? ParseVar(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : value is "true" or "false" ? value == "true"
        : value;

    /// <summary>Nodes ordered so each comes after everything it depends on (ties by path and name).</summary>
    private static List<ProjectNode> TopologicalOrder(ModelProject project, List<ProjectNode> nodes)
    {
        var set = nodes.Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ProjectNode>();
        foreach (var node in nodes.OrderBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal))
        {
            Visit(node.UniqueId);
        }
        return result;

        void Visit(string id)
        {
            if (!done.Add(id))
            {
                return;
            }
            foreach (var parent in project.Nodes[id].DependsOn)
            {
                Visit(parent);
            }
            if (set.Contains(id))
            {
                result.Add(project.Nodes[id]);
            }
        }
    }

    private static async Task EnsureSchemasAsync(ModelProject project, Warehouse warehouse, List<ProjectNode> nodes, CancellationToken cancellationToken)
    {
        var schemas = nodes.Where(n => n.Kind != NodeKind.Test).Select(n => project.RelationOf(n).Schema).Distinct(StringComparer.Ordinal).ToList();
        await using var connection = await warehouse.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schema in schemas)
        {
            await Warehouse.ExecuteAsync(connection, $"create schema if not exists {Relation.Quote(schema)}", cancellationToken).ConfigureAwait(false);
        }
    }
}
