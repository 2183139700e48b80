using Sluice.Testing;

namespace Sluice.Quality.Tests;

public class ExpectRecordRulesTests
{
    private static Func<DataStream<Order>, DataStream<Order>> Pipeline(RuleAction action) => input => input.Expect(e => e
        .NotNull("customer_present", "customer", o => o.Customer, action)
        .Range("amount_range", "amount", o => o.Amount, 0m, 1_000m, action)
        .Matches("email_format", "email", o => o.Email, @"^[^@\s]+@[^@\s]+\.[a-z]+$", action: action)
        .AcceptedValues("status_known", "status", o => o.Status, ["new", "paid", "shipped"], action)
        .References("country_known", "country", o => o.Country, "countries", () => ["DE", "FR", "NL"], action)
        .Satisfies("id_positive", "id", o => o.Id > 0, "id > 0", action), "orders");

    [Fact]
    public void Expect_GoodRecords_PassUnchanged()
    {
        using var driver = new OperatorTestDriver<Order, Order>(Pipeline(RuleAction.DeadLetter));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Orders.Good(1), 5).ProcessElement(Orders.Good(2), 6).Finish();

        driver.Output.ShouldBe([(Orders.Good(1), 5L), (Orders.Good(2), 6L)]);
        letters.Items.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(BadOrders))]
    public void Expect_DeadLetterAction_RoutesBadRecordWithRuleFieldAndValue(Order bad, string rule, string field, string valueText)
    {
        using var driver = new OperatorTestDriver<Order, Order>(Pipeline(RuleAction.DeadLetter));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Orders.Good(1), 5).ProcessElement(bad, 7).ProcessElement(Orders.Good(3), 9).Finish();

        driver.Values.ShouldBe([Orders.Good(1), Orders.Good(3)]);
        var letter = letters.Items.ShouldHaveSingleItem();
        letter.Kind.ShouldBe(DeadLetterKind.Rule);
        letter.Rule.ShouldBe(rule);
        letter.FieldPath.ShouldBe(field);
        letter.Operator.ShouldBe("orders");
        letter.Source.ShouldBe("orders");
        letter.EventTime.ShouldBe(7);
        letter.Reason.ShouldContain($"rule '{rule}'");
        letter.Reason.ShouldContain($"field '{field}'");
        letter.Reason.ShouldContain(valueText);
        letter.Position.ShouldStartWith("input record 2 of subtask 0");
        letter.Payload.ShouldBe(bad.ToString());
    }

    public static TheoryData<Order, string, string, string> BadOrders() => new()
    {
        { Orders.Good(2) with { Customer = null }, "customer_present", "customer", "null" },
        { Orders.Good(2) with { Amount = -5m }, "amount_range", "amount", "-5" },
        { Orders.Good(2) with { Email = "not-an-email" }, "email_format", "email", "'not-an-email'" },
        { Orders.Good(2) with { Status = "lost" }, "status_known", "status", "'lost'" },
        { Orders.Good(2) with { Country = "XX" }, "country_known", "country", "'XX'" },
        { Orders.Good(2) with { Id = -2 }, "id_positive", "id", "id > 0" },
    };

    [Fact]
    public void Expect_WarnAction_PassesRecordOn()
    {
        using var driver = new OperatorTestDriver<Order, Order>(Pipeline(RuleAction.Warn));
        var letters = driver.SideOutput(DeadLetters.Tag);
        var bad = Orders.Good(2) with { Amount = -1m, Status = "lost" };
        driver.ProcessElement(bad, 1).Finish();

        driver.Values.ShouldBe([bad]);
        letters.Items.ShouldBeEmpty();
    }

    [Fact]
    public void Expect_DropAction_DropsRecordWithoutLetter()
    {
        using var driver = new OperatorTestDriver<Order, Order>(Pipeline(RuleAction.Drop));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Orders.Good(2) with { Amount = -1m }, 1).ProcessElement(Orders.Good(3), 2).Finish();

        driver.Values.ShouldBe([Orders.Good(3)]);
        letters.Items.ShouldBeEmpty();
    }

    [Fact]
    public void Expect_FailAction_FailsJobNamingRuleFieldAndPosition()
    {
        using var driver = new OperatorTestDriver<Order, Order>(Pipeline(RuleAction.Fail));
        driver.ProcessElement(Orders.Good(1), 1);

        var error = Should.Throw<Exception>(() => driver.ProcessElement(Orders.Good(2) with { Amount = 5_000m }, 2_000));

        var violation = Find<RuleViolationException>(error).ShouldNotBeNull();
        violation.Rule.ShouldBe("amount_range");
        violation.FieldPath.ShouldBe("amount");
        violation.Position.ShouldBe("input record 2 of subtask 0, event time 1970-01-01T00:00:02.000Z");
        violation.Message.ShouldContain("rule 'amount_range'", Case.Insensitive);
        violation.Message.ShouldContain("field 'amount'");
        violation.Message.ShouldContain("5000");
        violation.Message.ShouldContain("input record 2");
    }

    [Fact]
    public void Expect_FirstRefusingRuleDecides_LaterRulesDoNotSeeTheRecord()
    {
        using var driver = new OperatorTestDriver<Order, Order>(input => input.Expect(e => e
            .Range("amount_range", "amount", o => o.Amount, 0m, 10m, RuleAction.Warn)
            .NotNull("customer_present", "customer", o => o.Customer, RuleAction.Drop)
            .AcceptedValues("status_known", "status", o => o.Status, ["paid"])));
        var letters = driver.SideOutput(DeadLetters.Tag);
        // Warned on amount, dropped for customer: the status rule (which it would fail too) never sees it.
        driver.ProcessElement(new Order(1, null, 50m, "a@b.c", "lost", "DE", 1), 1)
            .ProcessElement(new Order(2, "c", 50m, "a@b.c", "lost", "DE", 1), 2)
            .Finish();

        driver.Values.ShouldBeEmpty();
        letters.Items.ShouldHaveSingleItem().Rule.ShouldBe("status_known");
    }

    [Fact]
    public void Expect_UniqueWithinHorizon_FlagsRepeatsUntilTheHorizonPasses()
    {
        using var driver = new OperatorTestDriver<Order, Order>(input => input.Expect(e => e
            .Unique("id_unique", "id", o => o.Id, TimeSpan.FromSeconds(10))));
        var letters = driver.SideOutput(DeadLetters.Tag);
        driver.ProcessElement(Orders.Good(1), 1_000)
            .ProcessElement(Orders.Good(1), 5_000) // repeat within 10 s
            .ProcessElement(Orders.Good(2), 5_000)
            .ProcessWatermark(11_000) // the horizon of id 1 (1 000 + 10 000) passed: forgotten
            .ProcessElement(Orders.Good(1), 12_000)
            .Finish();

        driver.Output.Select(o => (o.Value.Id, o.Timestamp)).ShouldBe([(1L, 1_000L), (2L, 5_000L), (1L, 12_000L)]);
        var letter = letters.Items.ShouldHaveSingleItem();
        letter.Rule.ShouldBe("id_unique");
        letter.Reason.ShouldContain("field 'id'");
        letter.Reason.ShouldContain("value 1 was already seen");
        driver.Job.KeyedStateSize().StateEntries.ShouldBe(0); // every key expired at the end
    }

    [Fact]
    public void Expect_InvalidDeclarations_AreRejectedWhenBuilt()
    {
        using var driver = new JobTestDriver();
        var input = driver.CreateInput<Order>().Stream;

        Should.Throw<ArgumentException>(() => input.Expect(e => e)).Message.ShouldContain("at least one rule");
        Should.Throw<ArgumentException>(() => input.Expect(e => e
            .NotNull("r", "customer", o => o.Customer).NotNull("r", "email", o => o.Email))).Message.ShouldContain("Two rules are named 'r'");
        Should.Throw<ArgumentException>(() => input.Expect(e => e.Range("r", "amount", o => o.Amount, 10m, 1m))).Message.ShouldContain("above its maximum");
        Should.Throw<ArgumentException>(() => input.Expect(e => e.Matches("r", "email", o => o.Email, "(unclosed"))).Message.ShouldContain("not a valid regular expression");
        Should.Throw<ArgumentException>(() => input.Expect(e => e.Volume("v", TimeSpan.FromMinutes(1), min: 1, action: RuleAction.DeadLetter)))
            .Message.ShouldContain("give it the action Warn or Fail");
        Should.Throw<ArgumentException>(() => input.Expect(e => e
            .Unique("u1", "id", o => o.Id, TimeSpan.FromMinutes(1)).Unique("u2", "customer", o => o.Customer, TimeSpan.FromMinutes(1))))
            .Message.ShouldContain("both unique rules");
    }

    internal static T? Find<T>(Exception? error) where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
        }
        return null;
    }
}
