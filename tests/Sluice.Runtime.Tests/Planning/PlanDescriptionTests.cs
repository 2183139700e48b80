using System.Text.Json;
using Sluice.Plans;
using Sluice.Windowing;

namespace Sluice.Runtime.Tests.Planning;

/// <summary>
/// The plan as data: <see cref="PlanDescription"/>'s JSON is pinned by a golden text written by hand (a change of the
/// format must change this file), reads back to the same plan, and renders as text naming every operator.
/// </summary>
public sealed class PlanDescriptionTests
{
    /// <summary>
    /// A non-parallel collection source rebalanced into a 2x map, keyed into a 2x tumbling window that is chained with
    /// its sink.
    /// </summary>
    private static StreamEnvironment GoldenJob()
    {
        var env = StreamEnvironment.Create(new JobOptions { JobName = "golden-plan", Parallelism = 2, KeyGroupCount = 128 });
        env.FromCollection([new Click("a", 1_000), new Click("b", 2_000)], WatermarkStrategy<Click>.ForMonotonousTimestamps().WithTimestampAssigner(static c => c.Ts))
            .Map(static c => c with { User = c.User.ToUpperInvariant() }, "Normalize")
            .KeyBy(static c => c.User)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new ClickCount(), static (user, window, count) => $"{user}@{window.Start}={count}", "CountPerMinute")
            .Collect("Out");
        return env;
    }

    private const string GoldenJson = """
        {
          "version": 1,
          "jobName": "golden-plan",
          "parallelism": 2,
          "keyGroups": 128,
          "tasks": [
            {
              "id": 0,
              "parallelism": 1,
              "operators": [
                0
              ]
            },
            {
              "id": 1,
              "parallelism": 2,
              "operators": [
                1
              ]
            },
            {
              "id": 2,
              "parallelism": 2,
              "operators": [
                2,
                3
              ]
            }
          ],
          "operators": [
            {
              "id": 0,
              "uid": "0-Collection",
              "name": "Collection",
              "kind": "source",
              "parallelism": 1,
              "maxParallelism": 1,
              "keyed": false,
              "task": 0
            },
            {
              "id": 1,
              "uid": "1-Normalize",
              "name": "Normalize",
              "kind": "map",
              "parallelism": 2,
              "keyed": false,
              "task": 1
            },
            {
              "id": 2,
              "uid": "2-CountPerMinute(tumbling 60000 ms)",
              "name": "CountPerMinute(tumbling 60000 ms)",
              "kind": "window",
              "parallelism": 2,
              "maxParallelism": 128,
              "keyed": true,
              "stateBackend": "heap",
              "task": 2
            },
            {
              "id": 3,
              "uid": "3-Out",
              "name": "Out",
              "kind": "sink",
              "parallelism": 2,
              "keyed": false,
              "task": 2
            }
          ],
          "edges": [
            {
              "source": 0,
              "target": 1,
              "input": 0,
              "partitioning": "rebalance",
              "chained": false
            },
            {
              "source": 1,
              "target": 2,
              "input": 0,
              "partitioning": "hash",
              "chained": false
            },
            {
              "source": 2,
              "target": 3,
              "input": 0,
              "partitioning": "forward",
              "chained": true
            }
          ]
        }
        """;

    [Fact]
    public void ExplainJson_SmallKeyedWindowJob_MatchesTheGoldenJson()
    {
        var json = GoldenJob().Explain(ExplainFormat.Json);

        json.ShouldBe(GoldenJson);
    }

    [Fact]
    public void FromJson_GoldenJson_ReadsBackTheSamePlan()
    {
        var plan = PlanDescription.FromJson(GoldenJson);

        plan.ToJson().ShouldBe(GoldenJson);
        plan.Version.ShouldBe(1);
        plan.JobName.ShouldBe("golden-plan");
        plan.Tasks.Select(static t => t.Operators.Count).ShouldBe([1, 1, 2]);
        plan.Operators[2].ShouldBe(new OperatorDescription
        {
            Id = 2,
            Uid = "2-CountPerMinute(tumbling 60000 ms)",
            Name = "CountPerMinute(tumbling 60000 ms)",
            Kind = OperatorKind.Window,
            Parallelism = 2,
            MaxParallelism = 128,
            Keyed = true,
            StateBackend = "heap",
            Task = 2,
        });
        plan.Edges.Select(static e => e.Partitioning).ShouldBe([Partitioning.Rebalance, Partitioning.Hash, Partitioning.Forward]);
        plan.Edges[0].SideOutput.ShouldBeNull();
    }

    [Fact]
    public void ExplainText_SmallKeyedWindowJob_NamesEveryOperatorTaskAndExchange()
    {
        var text = GoldenJob().Explain();

        foreach (var op in new[] { "Collection", "Normalize", "CountPerMinute", "Out" })
        {
            text.ShouldContain(op);
        }
        text.ShouldBe("""
            job 'golden-plan': parallelism 2, 128 key groups, keyed state on heap
            task [1x] Collection
            task [2x] Normalize
              <- Collection via rebalance
            task [2x] CountPerMinute(tumbling 60000 ms) -> Out
              <- Normalize via hash

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_TextFormat_IsTheDescriptionsText()
    {
        var env = GoldenJob();

        env.Explain(ExplainFormat.Text).ShouldBe(env.DescribePlan().ToText());
        env.Explain().ShouldBe(env.DescribePlan().ToText());
    }

    [Fact]
    public void FromJson_NewerVersion_IsRefusedWithTheVersions()
    {
        var newer = GoldenJson.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal);

        var error = Should.Throw<NotSupportedException>(() => PlanDescription.FromJson(newer));

        error.Message.ShouldContain("version 2");
    }

    [Fact]
    public void FromJson_UnknownProperty_IsIgnored()
    {
        var extended = GoldenJson.Replace("\"keyGroups\": 128,", "\"keyGroups\": 128,\n  \"addedLater\": {\"x\": 1},", StringComparison.Ordinal);

        PlanDescription.FromJson(extended).ToJson().ShouldBe(GoldenJson);
    }

    [Fact]
    public void FromJson_NotAPlan_ThrowsJsonException()
    {
        Should.Throw<JsonException>(() => PlanDescription.FromJson("[1, 2]"));
    }

    [Fact]
    public async Task JobClient_PlanDescription_IsThePlanTheJobRuns()
    {
        var env = GoldenJob();

        var client = env.Start();
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        client.PlanDescription.ToJson().ShouldBe(GoldenJson);
        client.Plan.ShouldBe(env.Explain());
    }

    [Fact]
    public void DescribePlan_SideOutputAndRocksDb_DescribesTheTagAndTheBackend()
    {
        var tag = new OutputTag<int>("negative");
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, StateBackend = new Sluice.State.RocksDbStateBackend() });
        var main = env.FromCollection([1, -1]).Process(new SplitNegative(tag), "Split").SetParallelism(2);
        main.KeyBy(static i => i % 2).Reduce(static (a, b) => a + b, "Sum").Collect("Sums");
        main.GetSideOutput(tag).Collect("Negatives");

        var plan = env.DescribePlan();

        var sum = plan.Operators.Single(static o => o.Name == "Sum");
        sum.Keyed.ShouldBeTrue();
        sum.StateBackend.ShouldBe("rocksdb");
        plan.Operators.Single(static o => o.Name == "Split").StateBackend.ShouldBeNull();
        var side = plan.Edges.Single(static e => e.SideOutput is not null);
        side.SideOutput.ShouldBe("negative");
        plan.Operators[side.Target].Name.ShouldBe("Negatives");
        side.Chained.ShouldBeTrue();
        plan.ToText().ShouldContain("[negative] Negatives");
    }

    private sealed record Click(string User, long Ts);

    private sealed class ClickCount : IAggregateFunction<Click, long, long>
    {
        public long CreateAccumulator() => 0;

        public long Add(long accumulator, Click value) => accumulator + 1;

        public long GetResult(long accumulator) => accumulator;

        public long Merge(long a, long b) => a + b;
    }

    private sealed class SplitNegative(OutputTag<int> negative) : ProcessFunction<int, int>
    {
        public override void ProcessElement(int value, ProcessContext context, ICollector<int> output)
        {
            if (value < 0)
            {
                context.Output(negative, value);
            }
            else
            {
                output.Collect(value);
            }
        }
    }
}
