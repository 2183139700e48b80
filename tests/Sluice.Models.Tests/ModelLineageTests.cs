using Sluice.Lineage;
using Sluice.Models.Execution;

namespace Sluice.Models.Tests;

/// <summary>jaffle_shop built with lineage on: one START and one COMPLETE per node, children of the command's run, inputs as the refs say.</summary>
public sealed class ModelLineageTests : IDisposable
{
    private readonly ProjectDirectory _project = new("jaffle_shop");

    public void Dispose() => _project.Dispose();

    private string LineageFile => Path.Combine(_project.Root, "lineage.jsonl");

    private async Task<(ModelRunReport Report, List<RunEvent> Events)> BuildAsync(ModelCommand command)
    {
        await using var emitter = new FileLineageEmitter(LineageFile);
        var report = await ModelRunner.RunAsync(_project.Options(command) with { Lineage = emitter, LineageNamespace = "shop" }, null, CancellationToken.None);
        var events = File.Exists(LineageFile) ? File.ReadAllLines(LineageFile).Select(LineageJson.Deserialize).ToList() : [];
        File.Delete(LineageFile);
        return (report, events);
    }

    [Fact]
    public async Task Build_JaffleShop_EmitsOneStartAndCompletePerNodeWithItsRefsAsInputs()
    {
        var (report, events) = await BuildAsync(ModelCommand.Build);

        report.Succeeded.ShouldBeTrue();
        var invocation = events.Where(e => e.Job.Name == "jaffle_shop").ToList();
        invocation.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Complete]);
        events[0].ShouldBe(invocation[0]);
        events[^1].ShouldBe(invocation[1]);
        invocation[0].Job.Facets.JobType!.JobType.ShouldBe("COMMAND");
        var parentId = invocation[0].Run.RunId;

        var nodes = events.Where(e => e.Job.Name != "jaffle_shop").GroupBy(e => e.Job.Name).ToDictionary(g => g.Key, g => g.ToList());
        nodes.Count.ShouldBe(3 + 5 + 20); // seeds, models, schema tests
        foreach (var (name, runEvents) in nodes)
        {
            runEvents.Select(e => e.EventType).ShouldBe([RunEventType.Start, RunEventType.Complete], name);
            runEvents.Select(e => e.Run.RunId).Distinct().ShouldHaveSingleItem(name).Version.ShouldBe(7);
            runEvents.ShouldAllBe(e => e.Run.Facets.Parent!.Run.RunId == parentId && e.Job.Namespace == "shop");
        }

        var warehouse = "duckdb://" + _project.Database;
        string[] Inputs(string node) => [.. nodes[node][0].Inputs.Select(d => d.Namespace == warehouse ? d.Name : d.Namespace + ":" + d.Name)];
        Inputs("model.jaffle_shop.customers").ShouldBe(["main.stg_customers", "main.stg_orders", "main.stg_payments"], ignoreOrder: true);
        Inputs("model.jaffle_shop.orders").ShouldBe(["main.stg_orders", "main.stg_payments"], ignoreOrder: true);
        Inputs("model.jaffle_shop.stg_customers").ShouldBe(["main.raw_customers"]);
        Inputs("model.jaffle_shop.stg_orders").ShouldBe(["main.raw_orders"]);
        Inputs("model.jaffle_shop.stg_payments").ShouldBe(["main.raw_payments"]);
        Inputs("seed.jaffle_shop.raw_orders").ShouldBe(["file:" + _project.File("seeds/raw_orders.csv")]);
        Inputs("test.jaffle_shop.unique_customers_customer_id").ShouldBe(["main.customers"]);

        var orders = nodes["model.jaffle_shop.orders"];
        orders[0].Job.Facets.Sql!.Query.ShouldContain("sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount");
        orders[0].Job.Facets.JobType!.ProcessingType.ShouldBe(ProcessingType.Batch);
        var output = orders[1].Outputs.ShouldHaveSingleItem();
        (output.Namespace, output.Name).ShouldBe((warehouse, "main.orders"));
        output.Facets.Schema!.Fields.Select(f => f.Name).ShouldBe(["order_id", "customer_id", "order_date", "status", "credit_card_amount", "coupon_amount", "bank_transfer_amount", "gift_card_amount", "amount"]);
        output.Facets.Schema.Fields.ShouldAllBe(f => !string.IsNullOrEmpty(f.Type));
        nodes["test.jaffle_shop.unique_customers_customer_id"][1].Outputs.ShouldBeEmpty();
    }

    [Fact]
    public async Task Test_FailingDataTest_EmitsFailWithItsMessage()
    {
        (await BuildAsync(ModelCommand.Seed)).Report.Succeeded.ShouldBeTrue();
        (await BuildAsync(ModelCommand.Run)).Report.Succeeded.ShouldBeTrue();
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("Data Source=" + _project.Database))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "insert into main.customers (customer_id) values (1)";
            command.ExecuteNonQuery();
        }

        var (report, events) = await BuildAsync(ModelCommand.Test);

        report.Succeeded.ShouldBeFalse();
        var fail = events.Single(e => e.Job.Name == "test.jaffle_shop.unique_customers_customer_id" && e.EventType == RunEventType.Fail);
        fail.Run.Facets.ErrorMessage!.Message.ShouldContain("customer_id");
        events[^1].EventType.ShouldBe(RunEventType.Fail);
        events[^1].Run.Facets.ErrorMessage!.Message.ShouldContain("test.jaffle_shop.unique_customers_customer_id");
    }
}
