using System.Text.Json;
using DuckDB.NET.Data;
using Sluice.Models.Execution;
using Sluice.Models.Project;

namespace Sluice.Models.Tests;

/// <summary>
/// The dependency graph is frozen after load, run-time-only refs fail their node, and any failure of a node is its
/// Error result rather than an aborted run.
/// </summary>
public sealed class RunFailureTests : IDisposable
{
    private readonly ProjectDirectory _project = new();

    public RunFailureTests() => _project.Write("sluice_project.yml", "name: shop\nprofile: test\n");

    public void Dispose() => _project.Dispose();

    private Task<ModelRunReport> Run(ModelCommand command) => ModelRunner.RunAsync(_project.Options(command), null, CancellationToken.None);

    private ModelProject Load()
    {
        var target = ModelTarget.Resolve(_project.Project, _project.Profiles, ModelProject.ProfileName(_project.Project), null);
        return ModelProject.Load(_project.Project, target);
    }

    [Fact]
    public void Compile_AtRunTime_LeavesTheGraphUntouched()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("models/e.sql", "{{ config(materialized='ephemeral') }}\nselect id from {{ ref('a') }}");
        _project.Write("models/b.sql", "select * from {{ ref('e') }} join {{ ref('a') }} using (id)");
        var project = Load();
        var node = project.Nodes["model.shop.b"];

        // The scheduler enumerates DependsOn while workers compile: a compile must not modify it (not even bump its
        // version, which invalidates a live enumerator with "Collection was modified").
        using var reading = node.DependsOn.GetEnumerator();
        reading.MoveNext().ShouldBeTrue();
        ModelCompiler.Compile(project, node, isIncremental: false);
        ModelCompiler.Compile(project, project.Nodes["model.shop.e"], isIncremental: false);
        Should.NotThrow(() => reading.MoveNext());
        node.DependsOn.ShouldBe(["model.shop.a", "model.shop.e"]);
    }

    private void WriteIncrementalWithLateRef(string header) => _project.Write("models/early.sql",
        header + "{{ config(materialized='incremental') }}\nselect 1 as id\n{% if is_incremental() %}\nunion all select id from {{ ref('late') }}\n{% endif %}\n");

    [Fact]
    public async Task Run_RefOnlyAtRunTime_FailsTheNodeAskingForADependsOnComment()
    {
        _project.Write("models/late.sql", "select 2 as id");
        WriteIncrementalWithLateRef("");
        (await Run(ModelCommand.Run)).Results.Select(r => r.Status).ShouldAllBe(s => s == NodeStatus.Success);

        var second = await Run(ModelCommand.Run);

        var early = second.Results.Single(r => r.Name == "early");
        early.Status.ShouldBe(NodeStatus.Error);
        early.Message.ShouldBe("models/early.sql:4:29: model 'early' calls ref('late') only at run time, so it was not found as a dependency "
            + "when the project was loaded and would not be waited for; add a comment that always renders, e.g. '-- depends_on: {{ ref('late') }}' at the top of the model");
        second.Results.Single(r => r.Name == "late").Status.ShouldBe(NodeStatus.Success);
    }

    [Fact]
    public async Task Run_DependsOnComment_RegistersTheRunTimeRef()
    {
        _project.Write("models/late.sql", "select 2 as id");
        WriteIncrementalWithLateRef("-- depends_on: {{ ref('late') }}\n");
        Load().Nodes["model.shop.early"].DependsOn.ShouldBe(["model.shop.late"]);
        await Run(ModelCommand.Run);

        var second = await Run(ModelCommand.Run);

        second.Results.Select(r => $"{r.Name}:{r.Status}").Order(StringComparer.Ordinal).ShouldBe(["early:Success", "late:Success"]);
        second.Results.Single(r => r.Name == "early").RowsSelected.ShouldBe(2, "the incremental branch selects 1 and late's 2");
    }

    [Fact]
    public async Task Run_NodeThrowingAnyException_IsAnErrorResultAndItsDependentsAreSkipped()
    {
        _project.Write("models/bad.sql", "select 1 as id");
        _project.Write("models/after_bad.sql", "select * from {{ ref('bad') }}");
        _project.Write("models/fine.sql", "select 3 as id");
        // Its compiled file's path is taken by a folder, so writing it throws an IOException-like error, not a ModelProjectException.
        Directory.CreateDirectory(_project.File("target/compiled/shop/models/bad.sql"));

        var report = await Run(ModelCommand.Run);

        report.Results.Select(r => $"{r.Name}:{r.Status}").Order(StringComparer.Ordinal).ShouldBe(["after_bad:Skipped", "bad:Error", "fine:Success"]);
        report.Results.Single(r => r.Name == "bad").Message.ShouldStartWith("models/bad.sql: ");
        using var results = JsonDocument.Parse(File.ReadAllText(_project.File("target/run_results.json")));
        results.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("unique_id").GetString() + ":" + r.GetProperty("status").GetString())
            .Order(StringComparer.Ordinal)
            .ShouldBe(["model.shop.after_bad:skipped", "model.shop.bad:error", "model.shop.fine:success"]);
    }

    [Fact]
    public async Task Test_SqlEndingInALineComment_RunsWrapped()
    {
        _project.Write("models/a.sql", "select 1 as id");
        _project.Write("tests/no_rows.sql", "select * from {{ ref('a') }} where id > 1 -- nothing above one");

        var report = await Run(ModelCommand.Build);

        report.Results.Select(r => $"{r.Name}:{r.Status}").Order(StringComparer.Ordinal).ShouldBe(["a:Success", "no_rows:Pass"]);
    }

    private void Sql(string sql)
    {
        using var connection = new DuckDBConnection($"Data Source={_project.Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Count(string relation)
    {
        using var connection = new DuckDBConnection($"Data Source={_project.Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"select count(*) from {relation}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Run_Incremental_DropsOnlyItsTemporaryTableNeverAPermanentOneOfTheSameName()
    {
        _project.Write("models/inc.sql", "{{ config(materialized='incremental') }}\nselect 1 as id");
        await Run(ModelCommand.Run);
        Sql("create table main.inc__dbt_tmp as select 42 as keep");

        var second = await Run(ModelCommand.Run);

        second.Results.Single().Status.ShouldBe(NodeStatus.Success);
        Count("main.inc__dbt_tmp").ShouldBe(1, "the user's own table named like the temporary one survives");
        Count("main.inc").ShouldBe(2, "the second run appended its row");
    }

    [Fact]
    public async Task Run_FullRefreshFalse_KeepsTheIncrementalTableUnderFullRefresh()
    {
        _project.Write("models/kept.sql", "{{ config(materialized='incremental', full_refresh=false) }}\nselect 1 as id");
        _project.Write("models/rebuilt.sql", "{{ config(materialized='incremental') }}\nselect 1 as id");
        await Run(ModelCommand.Run);

        var full = await ModelRunner.RunAsync(_project.Options(ModelCommand.Run) with { FullRefresh = true }, null, CancellationToken.None);

        full.Results.Select(r => $"{r.Name}:{r.Status}").Order(StringComparer.Ordinal).ShouldBe(["kept:Success", "rebuilt:Success"]);
        Count("main.kept").ShouldBe(2, "full_refresh: false: --full-refresh still runs it incrementally (appends)");
        Count("main.rebuilt").ShouldBe(1, "--full-refresh rebuilds the other from scratch");
    }

    [Fact]
    public async Task List_DisabledModels_AreLeftOutWithTheirTests()
    {
        _project.Write("sluice_project.yml", "name: shop\nprofile: test\nmodels:\n  shop:\n    old:\n      +enabled: false\n");
        _project.Write("models/on.sql", "select 1 as id");
        _project.Write("models/off.sql", "{{ config(enabled=false) }}\nselect 2 as id");
        _project.Write("models/old/legacy.sql", "select 3 as id");
        _project.Write("models/schema.yml", "version: 2\nmodels:\n  - name: off\n    columns:\n      - name: id\n        tests: [not_null]\n  - name: on\n    columns:\n      - name: id\n        tests: [not_null]\n");

        var list = await Run(ModelCommand.List);
        var build = await Run(ModelCommand.Build);

        list.Selected.ShouldBe(["model.shop.on", "test.shop.not_null_on_id"]);
        build.Results.Select(r => $"{r.Name}:{r.Status}").Order(StringComparer.Ordinal).ShouldBe(["not_null_on_id:Pass", "on:Success"]);
    }

    [Fact]
    public async Task Load_RefToADisabledModel_NamesBoth()
    {
        _project.Write("models/off.sql", "{{ config(enabled=false) }}\nselect 2 as id");
        _project.Write("models/user.sql", "select * from {{ ref('off') }}");

        var error = await Should.ThrowAsync<ModelProjectException>(() => Run(ModelCommand.Run));

        error.Message.ShouldBe("models/user.sql: model 'user' refers to model 'off', which is disabled (enabled: false in models/off.sql or the project file); enable it or remove the reference.");
    }
}
