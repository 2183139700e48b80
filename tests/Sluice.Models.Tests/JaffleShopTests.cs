using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Sluice.Models.Execution;

namespace Sluice.Models.Tests;

/// <summary>
/// dbt-labs' jaffle_shop (Data/jaffle_shop, unchanged) built on DuckDB: its tables hold what the seed CSVs say, computed
/// here independently; its tests pass; broken seed rows fail exactly the tests that guard them.
/// </summary>
public sealed class JaffleShopTests : IDisposable
{
    private readonly ProjectDirectory _project = new("jaffle_shop");

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task Build_JaffleShop_BuildsEveryModelAndPassesEveryTest()
    {
        var report = await ModelRunner.RunAsync(_project.Options(ModelCommand.Build), null, CancellationToken.None);

        report.Results.Where(r => r.IsFailure).Select(r => r.Message).ShouldBeEmpty();
        report.Succeeded.ShouldBeTrue();
        report.Results.Count(r => r.ResourceType == "seed").ShouldBe(3);
        report.Results.Count(r => r.ResourceType == "model").ShouldBe(5);
        // jaffle_shop's schema files declare 20 tests (models/schema.yml 13, models/staging/schema.yml 7).
        report.Results.Count(r => r.ResourceType == "test" && r.Status == NodeStatus.Pass).ShouldBe(20);

        var customers = Csv("raw_customers.csv");
        var orders = Csv("raw_orders.csv");
        var payments = Csv("raw_payments.csv");
        using var connection = new DuckDBConnection("Data Source=" + _project.Database);
        connection.Open();
        Scalar(connection, "select count(*) from main.customers").ShouldBe((long)customers.Count);
        Scalar(connection, "select count(*) from main.orders").ShouldBe((long)orders.Count);

        // Customer 1's lifetime value: the payments (cents) of their orders, in dollars.
        var ordersOf1 = orders.Where(o => o["user_id"] == "1").Select(o => o["id"]).ToHashSet();
        var value = payments.Where(p => ordersOf1.Contains(p["order_id"])).Sum(p => double.Parse(p["amount"], CultureInfo.InvariantCulture)) / 100;
        Convert.ToDouble(Scalar(connection, "select customer_lifetime_value from main.customers where customer_id = 1"), CultureInfo.InvariantCulture).ShouldBe(value, 1e-9);
        Scalar(connection, "select number_of_orders from main.customers where customer_id = 1").ShouldBe((long)ordersOf1.Count);

        // Every order's credit-card amount, per the pivot the orders model builds with its Jinja loop.
        var creditCard = payments.Where(p => p["payment_method"] == "credit_card").Sum(p => double.Parse(p["amount"], CultureInfo.InvariantCulture)) / 100;
        Convert.ToDouble(Scalar(connection, "select sum(credit_card_amount) from main.orders"), CultureInfo.InvariantCulture).ShouldBe(creditCard, 1e-6);
        Scalar(connection, "select table_type from information_schema.tables where table_name = 'stg_orders'").ShouldBe("VIEW");
        Scalar(connection, "select table_type from information_schema.tables where table_name = 'orders'").ShouldBe("BASE TABLE");

        using var runResults = JsonDocument.Parse(File.ReadAllText(_project.File("target/run_results.json")));
        runResults.RootElement.GetProperty("results").GetArrayLength().ShouldBe(28);
        using var manifest = JsonDocument.Parse(File.ReadAllText(_project.File("target/manifest.json")));
        manifest.RootElement.GetProperty("nodes").GetProperty("model.jaffle_shop.customers").GetProperty("depends_on").GetProperty("nodes")
            .EnumerateArray().Select(e => e.GetString()).ShouldBe(["model.jaffle_shop.stg_customers", "model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"]);
        File.ReadAllText(_project.File("target/compiled/jaffle_shop/models/orders.sql")).ShouldContain("sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount,");
    }

    [Fact]
    public async Task Test_DuplicateCustomerAndUnknownStatus_FailExactlyTheGuardingTests()
    {
        AppendRow("seeds/raw_customers.csv", "1,Copy,C.");
        AppendRow("seeds/raw_orders.csv", "100,1,2018-04-10,lost");
        AppendRow("seeds/raw_payments.csv", "114,100,coupon,500");

        var run = await ModelRunner.RunAsync(_project.Options(ModelCommand.Seed), null, CancellationToken.None);
        run.Succeeded.ShouldBeTrue(string.Join("\n", run.Results.Select(r => r.Message)));
        var models = await ModelRunner.RunAsync(_project.Options(ModelCommand.Run), null, CancellationToken.None);
        models.Succeeded.ShouldBeTrue(string.Join("\n", models.Results.Select(r => r.Message)));
        var test = await ModelRunner.RunAsync(_project.Options(ModelCommand.Test), null, CancellationToken.None);

        test.Succeeded.ShouldBeFalse();
        var failed = test.Results.Where(r => r.Status == NodeStatus.Fail).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        failed.Select(r => r.Name).ShouldBe([
            "accepted_values_orders_status__placed__shipped__completed__return_pending__returned",
            "accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned",
            "unique_customers_customer_id",
            "unique_stg_customers_customer_id",
        ]);
        var unique = failed.Single(r => r.Name == "unique_stg_customers_customer_id");
        unique.Failures.ShouldBe(1);
        unique.Message.ShouldContain("model 'stg_customers', column 'customer_id'");
        unique.FailingSample.ShouldBe(["unique_field=1, n_records=2"]);
        failed.Single(r => r.Name.StartsWith("accepted_values_stg_orders", StringComparison.Ordinal)).FailingSample.ShouldBe(["value_field=lost, n_records=1"]);
        test.Results.Count(r => r.Status == NodeStatus.Pass).ShouldBe(16);

        // build stops at failing tests: nothing is built on the staging models' bad rows (the first failure is named).
        var build = await ModelRunner.RunAsync(_project.Options(ModelCommand.Build), null, CancellationToken.None);
        build.Results.Where(r => r.Status == NodeStatus.Fail).Select(r => r.Name).Order(StringComparer.Ordinal).ShouldBe([
            "accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned",
            "unique_stg_customers_customer_id",
        ]);
        build.Results.Where(r => r.Status == NodeStatus.Skipped && r.ResourceType == "model").Select(r => r.Name).Order(StringComparer.Ordinal).ShouldBe(["customers", "orders"]);
        build.Results.Single(r => r.Name == "customers").Message.ShouldBe("skipped: upstream test 'accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned' failed its test");
    }

    /// <summary>Appends a CSV row with the file's own line ending (raw_orders.csv uses CRLF).</summary>
    private void AppendRow(string file, string row)
    {
        var path = _project.File(file);
        File.AppendAllText(path, row + (File.ReadAllText(path).EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n"));
    }

    private static object? Scalar(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private List<Dictionary<string, string>> Csv(string name)
    {
        var lines = File.ReadAllLines(_project.File("seeds/" + name)).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second))];
    }
}
