namespace Sluice.Models;

/// <summary>What <see cref="ModelRunner.RunAsync"/> does with the selected nodes (dbt's commands).</summary>
public enum ModelCommand
{
    /// <summary>Build the selected models.</summary>
    Run,
    /// <summary>Run the selected tests against what is in the warehouse.</summary>
    Test,
    /// <summary>Seeds, models and tests in one dependency order; a failing test skips what is built on it.</summary>
    Build,
    /// <summary>Load the selected seeds (CSV files) into tables.</summary>
    Seed,
    /// <summary>Render the selected models and tests to <c>target/compiled/</c> without connecting.</summary>
    Compile,
    /// <summary>List the selected nodes without connecting.</summary>
    List,
}

/// <summary>Options of one models command.</summary>
public sealed record ModelRunOptions
{
    /// <summary>The folder holding <c>sluice_project.yml</c> or <c>dbt_project.yml</c>.</summary>
    public required string ProjectDirectory { get; init; }

    /// <summary>The command.</summary>
    public required ModelCommand Command { get; init; }

    /// <summary><c>--select</c> words (empty: everything).</summary>
    public IReadOnlyList<string> Select { get; init; } = [];

    /// <summary><c>--exclude</c> words.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Where <c>profiles.yml</c> is (default: the project folder; without one the target is DuckDB at <c>sluice-data/warehouse.duckdb</c>).</summary>
    public string? ProfilesDirectory { get; init; }

    /// <summary>The profile output to use (default: the profile's <c>target</c>).</summary>
    public string? Target { get; init; }

    /// <summary>Rebuild incremental models from scratch.</summary>
    public bool FullRefresh { get; init; }

    /// <summary>Concurrent nodes (default: the target's <c>threads</c>, else 4); 1-64.</summary>
    public int? Threads { get; init; }

    /// <summary>Values for <c>var()</c>, overriding the project's <c>vars:</c>.</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Where OpenLineage events of run, test, build and seed go (one parent run for the command, one child run per
    /// node; see <c>docs/lineage.md</c>); null: none. Owned by the caller (not disposed by the run).
    /// </summary>
    public Lineage.ILineageEmitter? Lineage { get; init; }

    /// <summary>The namespace of the lineage jobs (default: <c>OPENLINEAGE_NAMESPACE</c>, else <c>default</c>).</summary>
    public string? LineageNamespace { get; init; }

    /// <summary>
    /// The run this command is part of (a DAG task attempt's run): when set, no COMMAND run of its own is emitted and
    /// each node's run has this as its parent. Null (default): the command is a run (job = the project) and the nodes' parent.
    /// </summary>
    public Lineage.ParentRunFacet? LineageParent { get; init; }
}

/// <summary>What a models command did.</summary>
public sealed record ModelRunReport
{
    /// <summary>The project's name.</summary>
    public required string Project { get; init; }

    /// <summary>The target, without secrets (e.g. <c>dev (duckdb /x/warehouse.duckdb, schema main)</c>).</summary>
    public required string Target { get; init; }

    /// <summary>Per node, in finishing order (empty for compile and ls).</summary>
    public required IReadOnlyList<Execution.NodeResult> Results { get; init; }

    /// <summary>For ls and compile: the selected nodes' unique ids, in dependency order.</summary>
    public required IReadOnlyList<string> Selected { get; init; }

    /// <summary>Wall time of the command.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The project's target folder, holding manifest.json, run_results.json and compiled/.</summary>
    public required string TargetDirectory { get; init; }

    /// <summary>True when no node errored and no test failed (warnings allowed).</summary>
    public bool Succeeded => Results.All(r => !r.IsFailure);
}
