using Sluice.Examples.Orders;

namespace Sluice.Examples.Tests;

/// <summary>
/// The orders example against a real PostgreSQL (the Debian package's, as the connector tests): both sinks end equal to
/// the per-region summary computed here from the generated orders, with their updates, deletes, cancellations and
/// customer moves applied.
/// </summary>
public sealed class OrdersExampleTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-orders-" + Guid.NewGuid().ToString("N"));
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_DuckDbAndPostgresSummaries_EqualTheGeneratedOrdersAfterEveryChange()
    {
        const int orders = 2_000, customers = 40, seed = 7;
        var workload = OrdersWorkload.Generate(orders, customers, seed);
        workload.Changes.Select(c => c.Kind).Distinct().Order().ToArray().ShouldBe(Enum.GetValues<OrdersChangeKind>(), "the workload inserts, updates, deletes and moves customers");
        workload.Changes.ShouldContain(c => c.Kind == OrdersChangeKind.UpdateOrder && c.Order!.Status == "cancelled");
        var expected = Summary(workload);

        var run = await OrdersExample.RunAsync(new OrdersOptions(_server!.ConnectionString(), _directory, orders, customers, seed), timeout: TimeSpan.FromMinutes(3));

        run.Source.ShouldBe(expected, "the source tables hold the generated orders");
        run.Postgres.ShouldBe(expected);
        run.DuckDb.ShouldBe(expected);
        run.DuckDbJob.CheckpointsCompleted.ShouldBeGreaterThan(0);
        run.PostgresJob.CheckpointsCompleted.ShouldBeGreaterThan(0);
        using var connection = new Npgsql.NpgsqlConnection(_server.ConnectionString());
        connection.Open();
        using var slots = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_replication_slots", connection);
        ((long)slots.ExecuteScalar()!).ShouldBe(0, "the run removes its replication slots");
    }

    /// <summary>The per-region summary of the workload's final state: the customers' last regions, orders not cancelled.</summary>
    private static List<RegionSummary> Summary(OrdersWorkload workload)
    {
        var regions = workload.Customers.ToDictionary(c => c.CustomerId, c => c.Region);
        var live = workload.InitialOrders.ToDictionary(o => o.OrderId);
        foreach (var change in workload.Changes)
        {
            switch (change.Kind)
            {
                case OrdersChangeKind.InsertOrder:
                case OrdersChangeKind.UpdateOrder:
                    live[change.Order!.OrderId] = change.Order;
                    break;
                case OrdersChangeKind.DeleteOrder:
                    live.Remove(change.Id).ShouldBeTrue($"order {change.Id} existed when deleted");
                    break;
                case OrdersChangeKind.MoveCustomer:
                    regions[change.Id] = change.Region!;
                    break;
            }
        }
        var totals = new SortedDictionary<string, (long Orders, long Cents)>(StringComparer.Ordinal);
        foreach (var order in live.Values)
        {
            if (order.Status == "cancelled")
            {
                continue;
            }
            var region = regions[order.CustomerId];
            var (count, cents) = totals.GetValueOrDefault(region);
            totals[region] = (count + 1, cents + order.AmountCents);
        }
        return [.. totals.Select(t => new RegionSummary(t.Key, t.Value.Orders, t.Value.Cents))];
    }
}
