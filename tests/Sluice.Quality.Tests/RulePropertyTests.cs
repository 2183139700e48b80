using CsCheck;
using Sluice.Quality.Rules;
using Sluice.Schemas;
using Sluice.Testing;
using Sluice.Tests.Shared;

namespace Sluice.Quality.Tests;

/// <summary>range, not_null and accepted_values against a one-line oracle each, on generated values (nulls included).</summary>
public class RulePropertyTests
{
    private static readonly Schema s_schema = Schema.Parse("v INT");

    private static readonly Gen<int?> s_value = Gen.Frequency((1, Gen.Const((int?)null)), (6, Gen.Int[-50, 50].Select(v => (int?)v)));

    private static Row RowOf(int? value) => Row.Of(s_schema, value);

    private static bool Passes(RowExpectations rules, int? value) =>
        ((RecordRule<Row>)rules.Rules.Single()).CreateCheck().Check(RowOf(value), EventTime.NoTimestamp) == CheckOutcome.Pass;

    [Fact]
    public void Range_AgreesWithOracle() =>
        Gen.Select(s_value, Gen.Int[-60, 60], Gen.Int[0, 40]).Sample((value, min, width) =>
            Passes(new RowExpectations(s_schema).Range("r", "v", min, min + width), value)
                .ShouldBe(value is not { } v || (min <= v && v <= min + width)));

    [Fact]
    public void NotNull_AgreesWithOracle() =>
        s_value.Sample(value => Passes(new RowExpectations(s_schema).NotNull("r", "v"), value).ShouldBe(value is not null));

    [Fact]
    public void AcceptedValues_AgreesWithOracle() =>
        Gen.Select(s_value, Gen.Int[-50, 50].Array[1, 10]).Sample((value, accepted) =>
            Passes(new RowExpectations(s_schema).AcceptedValues("r", "v", accepted), value)
                .ShouldBe(value is not { } v || accepted.Contains(v)));

    [Fact]
    public void Expect_RoutesEachRecordByTheFirstRefusingRule_AsTheOracleDoes() =>
        Gen.Select(s_value.Array[0, 40], Gen.Int[-50, 0], Gen.Int[0, 50], Gen.Int[-50, 50].Array[1, 20]).Sample((values, min, max, accepted) =>
        {
            using var driver = new OperatorTestDriver<Row, Row>(input => input.Expect(s_schema, e => e
                .NotNull("present", "v", RuleAction.Drop)
                .Range("bounded", "v", min, max)
                .AcceptedValues("listed", "v", accepted)));
            var letters = driver.SideOutput(DeadLetters.Tag);
            foreach (var value in values)
            {
                driver.ProcessElement(RowOf(value), 1);
            }
            driver.Finish();

            // Oracle: nulls are dropped; then out of [min, max] → 'bounded'; then not listed → 'listed'; else passed.
            var expectedOut = values.Where(v => v is { } x && min <= x && x <= max && accepted.Contains(x)).ToList();
            var expectedLetters = values.Where(v => v is not null && !(min <= v && v <= max && accepted.Contains(v.Value)))
                .Select(v => min <= v && v <= max ? "listed" : "bounded").ToList();
            driver.Values.Select(r => (int?)r.GetInt32(0)).ShouldBe(expectedOut);
            letters.Items.Select(l => l.Rule).ShouldBe(expectedLetters);
        }, iter: 40);

    [Fact]
    public void Expect_BatchesFromASource_RouteAndCountAsTheOracleDoes() =>
        // A collection source hands the operator whole batches (ProcessBatch); a warn rule between two refusing ones
        // checks that only the records still in the stream reach each rule, and the counts of each.
        Gen.Select(s_value.Array[0, 2_500], Gen.Int[-50, 0], Gen.Int[0, 50], Gen.Int[-50, 50].Array[1, 20]).Sample((values, min, max, accepted) =>
        {
            var job = "batch-oracle-" + Guid.NewGuid().ToString("N");
            using var failed = new RuleMetricCounter("job", job);
            using var passed = new RuleMetricCounter("job", job, "sluice.quality.rule.passed");
            var env = StreamEnvironment.Create(new JobOptions { JobName = job });
            var kept = env.FromCollection(values.Select(RowOf).ToArray()).Expect(s_schema, e => e
                .NotNull("present", "v", RuleAction.Drop)
                .Range("bounded", "v", min, max)
                .Satisfies("even", "v", r => r.GetInt32(0) % 2 == 0, "v is even", RuleAction.Warn)
                .AcceptedValues("listed", "v", accepted));
            var letters = kept.GetSideOutput(DeadLetters.Tag).Collect();
            var output = kept.Collect();
            env.ExecuteAsync().Wait(TimeSpan.FromMinutes(1)).ShouldBeTrue();

            // Oracle, record by record in order: null → dropped; outside [min, max] → 'bounded'; odd → counted, kept;
            // not listed → 'listed'; else passed.
            var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
            var inRange = present.Where(v => min <= v && v <= max).ToList();
            output.Items.Select(r => r.GetInt32(0)).ShouldBe(inRange.Where(accepted.Contains));
            letters.Items.Select(l => (l.Rule, l.Position)).ShouldBe(values
                .Select((v, i) => (v, i))
                .Where(x => x.v is { } v && !(min <= v && v <= max && accepted.Contains(v)))
                .Select(x => ((string?)(min <= x.v && x.v <= max ? "listed" : "bounded"), $"input record {x.i + 1} of subtask 0")));
            var odd = inRange.Count(v => v % 2 != 0);
            var unlisted = inRange.Count(v => !accepted.Contains(v));
            failed.ByRule.ShouldBe(new Dictionary<string, long>
            {
                ["present"] = values.Length - present.Count,
                ["bounded"] = present.Count - inRange.Count,
                ["even"] = odd,
                ["listed"] = unlisted,
            }.Where(c => c.Value > 0).ToDictionary(), ignoreOrder: true);
            passed.ByRule.ShouldBe(new Dictionary<string, long>
            {
                ["present"] = present.Count,
                ["bounded"] = inRange.Count,
                ["even"] = inRange.Count - odd,
                ["listed"] = inRange.Count - unlisted,
            }.Where(c => c.Value > 0).ToDictionary(), ignoreOrder: true);
        }, iter: 25);
}
