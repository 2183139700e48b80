using System.Globalization;
using Npgsql;
using Sluice.Models.Execution;

namespace Sluice.Models.Tests;

/// <summary>jaffle_shop and an incremental merge on a real PostgreSQL target (a fresh cluster from apt's initdb).</summary>
public sealed class PostgresTargetTests : IAsyncLifetime, IDisposable
{
    private readonly ProjectDirectory _project = new("jaffle_shop");
    private PostgresServer? _server;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        // The password comes from the environment through env_var(), as a user's profile would have it.
        Environment.SetEnvironmentVariable("SLUICE_MODELS_TEST_PGPASSWORD", PostgresServer.Password);
        const string password = "{{ env_var('SLUICE_MODELS_TEST_PGPASSWORD') }}";
        File.WriteAllText(Path.Combine(_project.Profiles, "profiles.yml"), $$"""
            jaffle_shop:
              target: pg
              outputs:
                pg:
                  type: postgres
                  host: 127.0.0.1
                  port: {{_server.Port}}
                  user: {{PostgresServer.User}}
                  password: "{{password}}"
                  dbname: postgres
                  schema: analytics
                  threads: 2
            """);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Build_JaffleShopOnPostgres_BuildsAndPassesEveryTest()
    {
        var report = await ModelRunner.RunAsync(_project.Options(ModelCommand.Build), null, CancellationToken.None);

        report.Results.Where(r => r.IsFailure).Select(r => r.Message).ShouldBeEmpty();
        report.Results.Count(r => r.Status == NodeStatus.Pass).ShouldBe(20);
        report.Target.ShouldNotContain(PostgresServer.Password);
        await using var connection = new NpgsqlConnection(_server!.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*), sum(number_of_orders) from analytics.customers", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(100);
        Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture).ShouldBe(99, "raw_orders.csv has 99 orders");
    }

    [Fact]
    public async Task Run_IncrementalOnPostgres_MergesOnlyNewAndChangedRows()
    {
        _project.Write("models/orders_log.sql", """
            {{ config(materialized='incremental', unique_key='order_id') }}
            select order_id, status from {{ ref('stg_orders') }}
            {% if is_incremental() %}
            where order_id >= (select max(order_id) from {{ this }}) - 1
            {% endif %}
            """);
        (await ModelRunner.RunAsync(_project.Options(ModelCommand.Build, "+orders_log"), null, CancellationToken.None)).Succeeded.ShouldBeTrue();
        var second = await ModelRunner.RunAsync(_project.Options(ModelCommand.Run, "orders_log"), null, CancellationToken.None);

        var log = second.Results.Single();
        log.Status.ShouldBe(NodeStatus.Success, log.Message);
        log.RowsSelected.ShouldBe(2, "orders 98 and 99 pass the filter");
        log.RowsAffected.ShouldBe(2, "merged: updated in place, not duplicated");
        await using var connection = new NpgsqlConnection(_server!.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from analytics.orders_log", connection);
        (await command.ExecuteScalarAsync()).ShouldBe(99L);
    }
}
