using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Quality.Tests;

public class ExpectAllocationTests
{
    [Fact]
    public void ProcessBatch_PassingRecords_AllocateNothingPerRecordPerRule()
    {
        var schema = Schema.Parse("id BIGINT NOT NULL, customer VARCHAR, amount DECIMAL(10, 2), qty INT, status VARCHAR, email VARCHAR");
        var rows = Enumerable.Range(0, 1_000)
            .Select(i => Row.Of(schema, (long)i, "c" + i, 10m + i % 50, 1 + i % 9, i % 2 == 0 ? "new" : "paid", $"u{i}@example.com"))
            .ToArray();
        var timestamps = Enumerable.Range(0, rows.Length).Select(i => (long)i).ToArray();
        var rules = new RowExpectations(schema)
            .NotNull("customer_present", "customer")
            .Range("amount_range", "amount", 0m, 1_000m)
            .Range("qty_range", "qty", 1, 9)
            .AcceptedValues("status_known", "status", ["new", "paid"])
            .Matches("email_format", "email", @"^[a-z0-9]+@[a-z]+\.[a-z]+$")
            .References("customer_known", "customer", "customers", () => rows.Select(r => r.GetString(1)!))
            .ConformsToSchema("schema")
            .Satisfies("id_positive", "id", r => r.GetInt64(0) >= 0)
            .Freshness("fresh", TimeSpan.FromHours(1))
            .Volume("volume", TimeSpan.FromMinutes(1), trailingWindows: 5);
        var expectation = new Expectation<Row>(rules.Rules, null, null);
        ExpectOperator<Row>? op = null;
        // The operator's output goes on to a filter that keeps nothing, so the test's collector allocates nothing.
        using var driver = new OperatorTestDriver<Row, Row>(input => input
            .Transform("Expect", () => op = new ExpectOperator<Row>(expectation))
            .Filter(_ => false));
        driver.ProcessElement(rows[0], 0); // opens the operator
        op.ShouldNotBeNull().ProcessBatch(rows, timestamps); // warm-up: JIT, regex runner, dictionary growth

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 5; round++)
        {
            op.ProcessBatch(rows, timestamps);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 5 000 records × 10 rules. One allocation per record would be ≥ 24 B × 5 000 = 120 kB; what remains (< 1 kB per
        // batch of 1 000) is per batch, not per record.
        allocated.ShouldBeLessThan(10_000);
    }
}
