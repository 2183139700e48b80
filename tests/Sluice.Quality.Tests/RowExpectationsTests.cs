using Sluice.Schemas;
using Sluice.Testing;

namespace Sluice.Quality.Tests;

public class RowExpectationsTests
{
    private static readonly Schema s_schema = Schema.Parse("id BIGINT NOT NULL, customer VARCHAR, amount DECIMAL(10, 2), qty INT, status VARCHAR");

    private static Row Order(long id, string? customer, decimal? amount, int? qty, string? status) => Row.Of(s_schema, id, customer, amount, qty, status);

    [Theory]
    [InlineData("INT")]
    [InlineData("BIGINT")]
    [InlineData("VARCHAR")]
    public void Unique_NullableKeyColumn_NullsPassAndRepeatedValuesAreCaught(string type)
    {
        var schema = Schema.Parse($"k {type}, n INT NOT NULL");
        object? Key(int? k) => k is not { } v ? null : type switch { "INT" => v, "BIGINT" => (long)v, _ => "k" + v };
        using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(schema, e => e.Unique("k_unique", "k", TimeSpan.FromMinutes(5))));
        var letters = driver.SideOutput(DeadLetters.Tag);
        var n = 0;
        foreach (var k in (int?[])[1, null, 2, null, 1, 3, null])
        {
            driver.ProcessElement(Row.Of(schema, Key(k), n), ++n);
        }
        driver.Finish();

        driver.Values.Select(r => r.GetInt32(1)).Order().ShouldBe([0, 1, 2, 3, 5, 6]);
        letters.Items.ShouldHaveSingleItem().Rule.ShouldBe("k_unique");
    }

    [Fact]
    public void Expect_RowRules_RouteBadRowsByColumn()
    {
        using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(s_schema, e => e
            .NotNull("customer_present", "customer")
            .Range("amount_range", "amount", 0, 1_000) // int bounds fit the DECIMAL column exactly
            .Range("qty_range", "qty", 1L, 100L)
            .AcceptedValues("status_known", "status", ["new", "paid"])
            .Matches("customer_format", "customer", "^c[0-9]+$")
            .Unique("id_unique", "id", TimeSpan.FromMinutes(5))
            .ConformsToSchema("schema")));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Order(1, "c1", 10m, 1, "new"), 1)
            .ProcessElement(Order(2, null, 10m, 1, "new"), 2)
            .ProcessElement(Order(3, "c3", 1_000.01m, 1, "new"), 3)
            .ProcessElement(Order(4, "c4", 10m, 0, "new"), 4)
            .ProcessElement(Order(5, "c5", 10m, 1, "gone"), 5)
            .ProcessElement(Order(6, "x6", 10m, 1, "paid"), 6)
            .ProcessElement(Order(1, "c1", 10m, 1, "paid"), 7)
            .ProcessElement(Order(8, "c8", null, null, null), 8) // nulls pass every rule but not_null
            .Finish();

        driver.Values.Select(r => r.GetInt64(0)).ShouldBe([1L, 8L]);
        letters.Items.Select(l => (l.Rule, l.FieldPath)).ShouldBe(
        [
            ("customer_present", "customer"), ("amount_range", "amount"), ("qty_range", "qty"), ("status_known", "status"),
            ("customer_format", "customer"), ("id_unique", "id"),
        ]);
        letters.Items[1].Reason.ShouldContain("value 1000.01 is outside [0, 1000]");
    }

    [Fact]
    public void ConformsToSchema_RowOfAnotherSchemaOrNullInNotNullColumn_Fails()
    {
        var other = Schema.Parse("id BIGINT, customer VARCHAR");
        using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(s_schema, e => e.ConformsToSchema("orders_schema")));
        var letters = driver.SideOutput(DeadLetters.Tag);
        var nullId = new Row(s_schema);
        nullId.SetString(1, "c");
        driver.ProcessElement(Row.Of(other, 1L, "c"), 1).ProcessElement(nullId, 2).ProcessElement(Order(3, "c", 1m, 1, "new"), 3).Finish();

        driver.Values.Count.ShouldBe(1);
        letters.Items.Count.ShouldBe(2);
        letters.Items[0].Reason.ShouldContain("differs from the declared");
        letters.Items[0].FieldPath.ShouldBeNull();
        letters.Items[1].Reason.ShouldContain("NOT NULL column 'id' is null");
        letters.Items[1].FieldPath.ShouldBe("id");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("wrong-type-range")]
    [InlineData("wrong-type-regex")]
    [InlineData("wrong-type-values")]
    [InlineData("inexact-bound")]
    [InlineData("unordered-column")]
    public void Expect_RuleThatDoesNotFitTheSchema_IsRejectedWhenTheJobIsBuilt(string mistake)
    {
        var schema = Schema.Parse("id BIGINT, customer VARCHAR, qty INT, tags ARRAY<VARCHAR>");
        using var driver = new JobTestDriver();
        var input = driver.CreateInput<Row>().Stream;
        Func<RowExpectations, RowExpectations> rules = mistake switch
        {
            "missing" => e => e.NotNull("customer_present", "custmer"),
            "wrong-type-range" => e => e.Range("customer_range", "customer", 1, 10),
            "wrong-type-regex" => e => e.Matches("qty_format", "qty", "^[0-9]+$"),
            "wrong-type-values" => e => e.AcceptedValues("qty_values", "qty", ["one", "two"]),
            "inexact-bound" => e => e.Range("qty_range", "qty", 0.5, 10.0),
            _ => e => e.Range("tags_range", "tags", "a", "z"),
        };

        var error = Should.Throw<ArgumentException>(() => input.Expect(schema, rules));

        var (rule, column) = mistake switch
        {
            "missing" => ("customer_present", "custmer"),
            "wrong-type-range" => ("customer_range", "customer"),
            "wrong-type-regex" => ("qty_format", "qty"),
            "wrong-type-values" => ("qty_values", "qty"),
            "inexact-bound" => ("qty_range", "qty"),
            _ => ("tags_range", "tags"),
        };
        error.Message.ShouldContain($"Rule '{rule}'");
        error.Message.ShouldContain($"column '{column}'");
    }
}
