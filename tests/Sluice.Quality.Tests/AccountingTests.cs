namespace Sluice.Quality.Tests;

/// <summary>
/// The accounting guarantee over a large generated stream: 10 % of the records are bad in 8 different ways, each way
/// caught by one rule (seven dead-letter it, one drops it); a warn-only rule fails some good records too. The expected
/// counts come from the generator's own truth.
/// </summary>
public class AccountingTests
{
    private const int Records = 1_000_000;

    public sealed record Sale(long Id, string? Customer, decimal Amount, int Qty, decimal Total, string Email, string Status, string Country, long Ts);

    /// <summary>The 8 ways a record is bad, the rule that must catch each, and the field it names.</summary>
    private static readonly (string Rule, string Field)[] s_defects =
    [
        ("customer_present", "customer"), ("amount_range", "amount"), ("email_format", "email"), ("status_known", "status"),
        ("country_known", "country"), ("id_unique", "id"), ("total_consistent", "total"), ("qty_range", "qty"),
    ];

    /// <summary>Record <paramref name="i"/>: every tenth record is bad, by defect (i / 10) % 8; the rest are good.</summary>
    private static Sale Generate(long i, out int defect)
    {
        var amount = 1m + i % 997;
        var qty = 1 + (int)(i % 7);
        var sale = new Sale(i, "c" + (i % 5_000), amount, qty, amount * qty, "u" + (i % 10_000) + "@example.com", i % 3 == 0 ? "new" : "paid", i % 2 == 0 ? "DE" : "FR", i);
        defect = i % 10 == 0 ? (int)(i / 10 % 8) : -1;
        return defect switch
        {
            0 => sale with { Customer = null },
            1 => sale with { Amount = -amount, Total = -amount * qty },
            2 => sale with { Email = "no-at-sign" },
            3 => sale with { Status = "lost" },
            4 => sale with { Country = "XX" },
            5 => sale with { Id = i - 1 }, // repeats the previous (good) record's id, 1 ms later
            6 => sale with { Total = sale.Total + 1 },
            7 => sale with { Qty = 0, Total = 0 },
            _ => sale,
        };
    }

    private static IEnumerable<Sale> Sales()
    {
        for (long i = 1; i <= Records; i++)
        {
            yield return Generate(i, out _);
        }
    }

    [Fact]
    public async Task Expect_MillionRecordsTenPercentBadEightWays_InEqualsOutPlusDeadLettersPlusDropsExactly()
    {
        // The generator's truth.
        var expectedByRule = new Dictionary<string, long>();
        long expectedGood = 0, expectedWarned = 0;
        for (long i = 1; i <= Records; i++)
        {
            var sale = Generate(i, out var defect);
            // The warn-only rule runs third: it sees every record the two rules before it let through.
            expectedWarned += defect is not (0 or 1) && sale.Amount > 500m ? 1 : 0;
            if (defect < 0)
            {
                expectedGood++;
            }
            else
            {
                expectedByRule[s_defects[defect].Rule] = expectedByRule.GetValueOrDefault(s_defects[defect].Rule) + 1;
            }
        }

        var jobName = "accounting-" + Guid.NewGuid().ToString("N");
        using var failures = new RuleMetricCounter("job", jobName);
        using var passes = new RuleMetricCounter("job", jobName, "sluice.quality.rule.passed");

        var env = StreamEnvironment.Create(new JobOptions { JobName = jobName });
        long passed = 0, deadLettered = 0, lettersNamingRuleAndField = 0;
        var lettersByRule = new Dictionary<string, long>();
        var fields = s_defects.ToDictionary(d => d.Rule, d => d.Field);
        var checkedSales = env.FromCollection(Sales(), WatermarkStrategy<Sale>.ForBoundedOutOfOrderness(TimeSpan.FromSeconds(1)).WithTimestampAssigner(s => s.Ts))
            .Expect(e => e
                .NotNull("customer_present", "customer", s => s.Customer)
                .Range("amount_range", "amount", s => s.Amount, 0m, 10_000m)
                .Range("amount_typical", "amount", s => s.Amount, 0m, 500m, RuleAction.Warn)
                .Matches("email_format", "email", s => s.Email, @"^[a-z0-9]+@[a-z]+\.[a-z]+$")
                .AcceptedValues("status_known", "status", s => s.Status, ["new", "paid", "shipped"])
                .References("country_known", "country", s => s.Country, "countries", () => ["DE", "FR", "NL"])
                .Satisfies("total_consistent", "total", s => s.Qty == 0 || s.Total == s.Amount * s.Qty, "total = amount × qty")
                .Range("qty_range", "qty", s => s.Qty, 1, 100, RuleAction.Drop)
                .Unique("id_unique", "id", s => s.Id, TimeSpan.FromMinutes(1)), "sales");
        checkedSales.ForEach(_ => Interlocked.Increment(ref passed));
        checkedSales.GetSideOutput(DeadLetters.Tag).ForEach(letter =>
        {
            Interlocked.Increment(ref deadLettered);
            if (letter.Rule is { } rule && fields.TryGetValue(rule, out var field)
                && letter.Reason.Contains($"rule '{rule}'", StringComparison.Ordinal) && letter.Reason.Contains($"field '{field}'", StringComparison.Ordinal)
                && letter.FieldPath == field && letter.Kind == DeadLetterKind.Rule)
            {
                Interlocked.Increment(ref lettersNamingRuleAndField);
            }
            lock (lettersByRule)
            {
                lettersByRule[letter.Rule ?? "?"] = lettersByRule.GetValueOrDefault(letter.Rule ?? "?") + 1;
            }
        });

        await env.ExecuteAsync();
        var failed = failures.ByRule;

        var expectedDropped = expectedByRule["qty_range"];
        passed.ShouldBe(expectedGood);
        deadLettered.ShouldBe(Records - expectedGood - expectedDropped);
        (passed + deadLettered + failed["qty_range"]).ShouldBe(Records); // in = out + DLQ + DROP, the drops counted by the rule metric
        failed["qty_range"].ShouldBe(expectedDropped);
        lettersNamingRuleAndField.ShouldBe(deadLettered);
        foreach (var (rule, count) in expectedByRule.Where(r => r.Key != "qty_range"))
        {
            lettersByRule.GetValueOrDefault(rule).ShouldBe(count, $"dead letters of rule '{rule}'");
            failed[rule].ShouldBe(count, $"failures counted for rule '{rule}'");
        }
        failed["amount_typical"].ShouldBe(expectedWarned); // warned, and still passed on

        // A rule passes every record that reaches it and it does not fail; a record reaches it unless an earlier rule
        // took it out of the stream (all but the warn-only rule do). The rules run in the order given, the unique one last.
        var passedByRule = passes.ByRule;
        long reached = Records;
        foreach (var rule in (string[])["customer_present", "amount_range", "amount_typical", "email_format", "status_known", "country_known", "total_consistent", "qty_range", "id_unique"])
        {
            var ruleFailures = rule == "amount_typical" ? expectedWarned : expectedByRule[rule];
            passedByRule[rule].ShouldBe(reached - ruleFailures, $"passes counted for rule '{rule}'");
            if (rule != "amount_typical")
            {
                reached -= ruleFailures;
            }
        }
    }
}
