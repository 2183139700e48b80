using Sluice.Operators;
using Sluice.Sinks;
using Sluice.Testing;

namespace Sluice.Quality.Tests;

/// <summary>
/// The expectation operator's batch path: runs of records that stay in the stream go on as batches (one downstream
/// call per run), in the order the per-record path would emit them.
/// </summary>
public class ExpectBatchTests
{
    private static readonly long[] s_timestamps = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];

    [Fact]
    public void ProcessBatch_EveryRecordPasses_NextOperatorGetsOneBatch()
    {
        using var harness = new Harness(RuleAction.DeadLetter);

        harness.Expect.ProcessBatch([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], s_timestamps);

        harness.Probe.Calls.ShouldBe(["batch 1,2,3,4,5,6,7,8,9,10 @ 10..19"]);
    }

    [Fact]
    public void ProcessBatch_RefusedRecords_RunsBetweenThemGoOnAsBatchesAndTheRefusedAreDeadLettered()
    {
        using var harness = new Harness(RuleAction.DeadLetter);

        // -4 and 70 fall outside [0, 50]; so does the last record, which ends the batch without a run after it.
        harness.Expect.ProcessBatch([1, 2, 3, -4, 5, 6, 70, 8, 9, -10], s_timestamps);

        harness.Probe.Calls.ShouldBe(["batch 1,2,3 @ 10..12", "batch 5,6 @ 14..15", "batch 8,9 @ 17..18"]);
        harness.Letters.Items.Select(l => (l.Rule, l.EventTime)).ShouldBe([("bounded", 13L), ("bounded", 16L), ("bounded", 19L)]);
    }

    [Fact]
    public void ProcessBatch_WarnRuleRefuses_RecordStaysInItsRun()
    {
        using var harness = new Harness(RuleAction.DeadLetter, warnOdd: true);

        harness.Expect.ProcessBatch([1, 2, 3, 4], s_timestamps.AsSpan(0, 4));

        harness.Probe.Calls.ShouldBe(["batch 1,2,3,4 @ 10..13"]);
        harness.Letters.Items.ShouldBeEmpty();
    }

    [Fact]
    public void ProcessBatch_FailRuleRefuses_RecordsBeforeItAreEmittedThenTheJobFails()
    {
        using var harness = new Harness(RuleAction.Fail);

        var failure = Should.Throw<RuleViolationException>(() => harness.Expect.ProcessBatch([1, 2, 300, 4], s_timestamps.AsSpan(0, 4)));

        failure.Rule.ShouldBe("bounded");
        harness.Probe.Calls.ShouldBe(["batch 1,2 @ 10..11"]);
    }

    [Fact]
    public void ProcessBatch_RuleThrows_RecordsJudgedBeforeAreEmittedThenTheErrorSurfaces()
    {
        using var harness = new Harness(RuleAction.DeadLetter, throwOn: 7);

        var error = Should.Throw<InvalidOperationException>(() => harness.Expect.ProcessBatch([1, 2, 7, 4], s_timestamps.AsSpan(0, 4)));

        error.Message.ShouldBe("selector failed on 7");
        harness.Probe.Calls.ShouldBe(["batch 1,2 @ 10..11"]);
    }

    /// <summary>An expectation operator on ints (rule 'bounded': [0, 50]) chained to a probe that records what reaches it.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly OperatorTestDriver<int, int> _driver;
        private ExpectOperator<int>? _expect;
        private CallProbe? _probe;

        public Harness(RuleAction action, bool warnOdd = false, int? throwOn = null)
        {
            var rules = new Expectations<int>().Range("bounded", "v", v => v == throwOn ? throw new InvalidOperationException($"selector failed on {v}") : v, 0, 50, action);
            if (warnOdd)
            {
                rules.Satisfies("even", "v", v => v % 2 == 0, "v is even", RuleAction.Warn);
            }
            var expectation = new Expectation<int>(rules.Rules, null, null);
            CollectSink<DeadLetter>? letters = null;
            _driver = new OperatorTestDriver<int, int>(input =>
            {
                var expected = input.Transform("Expect", () => _expect = new ExpectOperator<int>(expectation));
                letters = expected.GetSideOutput(DeadLetters.Tag).Collect();
                return expected.Transform("Probe", () => _probe = new CallProbe());
            });
            Letters = letters.ShouldNotBeNull();
            _driver.ProcessElement(0, 0); // opens the operators
            Probe.Calls.ShouldBe(["batch 0 @ 0..0"]); // the driver hands its input on in batches
            Probe.Calls.Clear();
        }

        public ExpectOperator<int> Expect => _expect.ShouldNotBeNull();

        public CallProbe Probe => _probe.ShouldNotBeNull();

        public CollectSink<DeadLetter> Letters { get; }

        public void Dispose() => _driver.Dispose();
    }

    /// <summary>Records each call that reaches it: one line per element or batch.</summary>
    private sealed class CallProbe : OneInputStreamOperator<int, int>
    {
        public List<string> Calls { get; } = [];

        public override void ProcessElement(int value, long timestamp) => Calls.Add($"element {value} @ {timestamp}");

        public override void ProcessBatch(ReadOnlySpan<int> values, ReadOnlySpan<long> timestamps) =>
            Calls.Add($"batch {string.Join(",", values.ToArray())} @ {timestamps[0]}..{timestamps[^1]}");
    }
}
