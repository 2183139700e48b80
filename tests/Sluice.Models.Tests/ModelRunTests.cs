using System.Text.Json;
using DuckDB.NET.Data;
using Sluice.Models.Execution;

namespace Sluice.Models.Tests;

/// <summary>Materializations, incremental runs, ephemeral models, singular tests, selectors and vars on a small DuckDB project.</summary>
public sealed class ModelRunTests : IDisposable
{
    private readonly ProjectDirectory _project = new();

    public ModelRunTests()
    {
        _project.Write("sluice_project.yml", """
            name: shop
            profile: test
            vars:
              min_amount: 0
            models:
              shop:
                +materialized: view
                marts:
                  +materialized: table
                  +tags: ['finance']
            """);
        _project.Write("seeds/events.csv", "id,amount,kind\n1,10,a\n2,20,b\n3,30,a\n");
        _project.Write("models/staging/stg_events.sql", "select id, amount, kind from {{ ref('events') }} where amount > {{ var('min_amount') }}");
        _project.Write("models/staging/kinds.sql", "{{ config(materialized='ephemeral') }}\nselect distinct kind from {{ ref('stg_events') }}");
        _project.Write("models/marts/kind_totals.sql", """
            with k as (select * from {{ ref('kinds') }})
            select k.kind, sum(e.amount) as total
            from k join {{ ref('stg_events') }} e using (kind)
            group by k.kind
            """);
        _project.Write("models/marts/events_log.sql", """
            {{ config(materialized='incremental', unique_key='id') }}
            select id, amount, kind from {{ ref('stg_events') }}
            {% if is_incremental() %}
            where id > (select coalesce(max(id), 0) from {{ this }})
            {% endif %}
            """);
        _project.Write("tests/no_negative_totals.sql", "select * from {{ ref('kind_totals') }} where total < 0");
    }

    public void Dispose() => _project.Dispose();

    private async Task<ModelRunReport> Run(ModelCommand command, params string[] select)
    {
        var report = await ModelRunner.RunAsync(_project.Options(command, select), null, CancellationToken.None);
        report.Results.Where(r => r.IsFailure).Select(r => r.Message).ShouldBeEmpty();
        return report;
    }

    [Fact]
    public async Task Build_Materializations_ViewTableIncrementalAndEphemeralInlined()
    {
        var report = await Run(ModelCommand.Build);

        report.Results.Select(r => r.Name).Order(StringComparer.Ordinal).ShouldBe(["events", "events_log", "kind_totals", "no_negative_totals", "stg_events"]);
        using var connection = Open();
        Rows(connection, "select kind, total from main.kind_totals order by kind").ShouldBe(["a|40", "b|20"]);
        Rows(connection, "select table_name, table_type from information_schema.tables order by table_name")
            .ShouldBe(["events|BASE TABLE", "events_log|BASE TABLE", "kind_totals|BASE TABLE", "stg_events|VIEW"]);
        File.ReadAllText(_project.File("target/compiled/shop/models/marts/kind_totals.sql"))
            .ShouldStartWith("with __dbt__cte__kinds as (\n\nselect distinct kind from \"main\".\"stg_events\"\n),\nk as (select * from __dbt__cte__kinds)");
    }

    [Fact]
    public async Task Run_IncrementalSecondRun_ProcessesOnlyTheNewRows()
    {
        await Run(ModelCommand.Build);
        File.AppendAllText(_project.File("seeds/events.csv"), "4,40,b\n5,50,c\n");
        await Run(ModelCommand.Seed);

        var second = await Run(ModelCommand.Run, "events_log");

        var log = second.Results.Single();
        log.Materialization.ShouldBe("incremental");
        log.RowsSelected.ShouldBe(2, "the is_incremental() filter lets only ids 4 and 5 through");
        log.RowsAffected.ShouldBe(2);
        using var connection = Open();
        Rows(connection, "select id from main.events_log order by id").ShouldBe(["1", "2", "3", "4", "5"]);
        using var runResults = JsonDocument.Parse(File.ReadAllText(_project.File("target/run_results.json")));
        var adapter = runResults.RootElement.GetProperty("results")[0].GetProperty("adapter_response");
        adapter.GetProperty("rows_affected").GetInt64().ShouldBe(2);
        adapter.GetProperty("rows_selected").GetInt64().ShouldBe(2);

        // A changed row merges by unique_key instead of duplicating; --full-refresh rebuilds everything.
        File.WriteAllText(_project.File("seeds/events.csv"), "id,amount,kind\n1,10,a\n2,20,b\n3,30,a\n4,40,b\n5,50,c\n6,60,c\n");
        await Run(ModelCommand.Seed);
        var full = await ModelRunner.RunAsync(_project.Options(ModelCommand.Run, "events_log") with { FullRefresh = true }, null, CancellationToken.None);
        full.Results.Single().RowsSelected.ShouldBe(6);
        Rows(connection, "select count(*), count(distinct id) from main.events_log").ShouldBe(["6|6"]);
    }

    [Fact]
    public async Task Test_SingularTestReturningRows_FailsNamingTheFileAndRows()
    {
        _project.Write("tests/no_kind_c.sql", "select kind, total from {{ ref('kind_totals') }} where kind = 'b'");
        await Run(ModelCommand.Seed);
        await Run(ModelCommand.Run);

        var report = await ModelRunner.RunAsync(_project.Options(ModelCommand.Test), null, CancellationToken.None);

        var failed = report.Results.Single(r => r.Status == NodeStatus.Fail);
        failed.Name.ShouldBe("no_kind_c");
        failed.Message.ShouldBe("1 failing row in singular test tests/no_kind_c.sql; first: kind=b, total=20");
        report.Succeeded.ShouldBeFalse();
    }

    [Theory]
    [InlineData("stg_events", new[] { "model.shop.stg_events" })]
    [InlineData("+kind_totals", new[] { "seed.shop.events", "model.shop.stg_events", "model.shop.kinds", "model.shop.kind_totals", "test.shop.no_negative_totals" })]
    [InlineData("stg_events+", new[] { "model.shop.stg_events", "model.shop.events_log", "model.shop.kinds", "model.shop.kind_totals", "test.shop.no_negative_totals" })]
    [InlineData("tag:finance", new[] { "model.shop.events_log", "model.shop.kind_totals", "test.shop.no_negative_totals" })]
    [InlineData("path:models/staging", new[] { "model.shop.stg_events", "model.shop.kinds" })]
    public async Task List_Selectors_SelectTheDocumentedNodes(string select, string[] expected)
    {
        var report = await Run(ModelCommand.List, select);

        report.Selected.Order(StringComparer.Ordinal).ShouldBe(expected.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_Vars_OverrideTheProjectsVars()
    {
        await Run(ModelCommand.Seed);
        var report = await ModelRunner.RunAsync(_project.Options(ModelCommand.Run, "kind_totals", "stg_events") with { Vars = new Dictionary<string, string> { ["min_amount"] = "15" } }, null, CancellationToken.None);

        report.Succeeded.ShouldBeTrue();
        using var connection = Open();
        Rows(connection, "select kind, total from main.kind_totals order by kind").ShouldBe(["a|30", "b|20"]);
    }

    private DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("Data Source=" + _project.Database);
        connection.Open();
        return connection;
    }

    private static List<string> Rows(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return rows;
    }
}
