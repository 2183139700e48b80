using Sluice.Runtime.Tests.State;
using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.Testing;

namespace Sluice.Runtime.Tests.Joins;

/// <summary>Runs on every state backend: see the nested <see cref="Heap"/> and <see cref="RocksDb"/>.</summary>
public abstract class CoProcessTests : BackendSuite
{
    private sealed record Rule(string Key, int Threshold);

    private (JobTestDriver Driver, TestInput<Rule> Rules, TestInput<Ev> Events, Sluice.Sinks.CollectSink<string> Sink) Build(JobOptions? options = null)
    {
        var driver = new JobTestDriver(Options(options));
        var rules = driver.CreateInput<Rule>(name: "Rules");
        var events = driver.CreateInput<Ev>(name: "Events");
        var sink = rules.Stream.KeyBy(r => r.Key).Connect(events.Stream.KeyBy(e => e.Key)).Process(new ThresholdAlerts()).Collect();
        return (driver, rules, events, sink);
    }

    [Fact]
    public void Process_StateWrittenByFirstInput_IsSeenBySecondInputForSameKeyOnly()
    {
        var (driver, rules, events, sink) = Build();
        using (driver)
        {
            rules.Push(new Rule("a", 10));
            driver.RunUntilIdle();
            events.Push(new Ev("a", 1, 5), 1).Push(new Ev("a", 2, 15), 2).Push(new Ev("b", 3, 15), 3);
            driver.RunUntilIdle();
            sink.Items.ShouldBe(["alert a 15>10", "no-rule b"]);

            rules.Push(new Rule("b", 20));
            driver.RunUntilIdle();
            events.Push(new Ev("b", 4, 21), 4);
            driver.RunUntilIdle();
            sink.Items.ShouldBe(["alert a 15>10", "no-rule b", "alert b 21>20"]);
        }
    }

    [Fact]
    public void Process_Watermark_IsMinimumOfBothInputs()
    {
        var (driver, rules, events, sink) = Build();
        using (driver)
        {
            rules.Push(new Rule("a", 10), 5); // registers an event-time timer at 5 + 10 = 15
            rules.PushWatermark(100);
            driver.RunUntilIdle();
            sink.Items.ShouldBeEmpty();
            events.PushWatermark(14);
            driver.RunUntilIdle();
            sink.Items.ShouldBeEmpty();
            events.PushWatermark(15);
            driver.RunUntilIdle();
            sink.Items.ShouldBe(["expire a@15"]);
            // The timer cleared the rule: state is shared, so the second input sees it gone.
            events.Push(new Ev("a", 20, 50), 20);
            driver.RunUntilIdle();
            sink.Items.ShouldBe(["expire a@15", "no-rule a"]);
        }
    }

    [Fact]
    public void Process_EndOfBothInputs_FiresPendingTimers()
    {
        var (driver, rules, events, sink) = Build();
        using (driver)
        {
            rules.Push(new Rule("a", 10), 1_000);
            rules.Complete();
            driver.RunUntilIdle();
            sink.Items.ShouldBeEmpty();
            events.Complete();
            driver.RunToCompletion();
            sink.Items.ShouldBe(["expire a@1010"]);
            driver.IsFinished.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task Process_AtParallelism4_SharesKeyStateAcrossInputs()
    {
        var rules = Enumerable.Range(0, 50).Select(i => new Rule($"k{i}", i)).ToList();
        var events = Enumerable.Range(0, 50).SelectMany(i => new[] { new Ev($"k{i}", 0, i - 1), new Ev($"k{i}", 0, i + 1) }).ToList();
        var env = StreamEnvironment.Create(Options(new JobOptions { Parallelism = 4, BatchSize = 8 }));
        // The two sources race; the function buffers events that arrive before their key's rule.
        var sink = env.FromCollection(rules).KeyBy(r => r.Key)
            .Connect(env.FromCollection(events).KeyBy(e => e.Key))
            .Process(new BufferingAlerts())
            .Collect();
        await env.ExecuteAsync().OrTimeout();
        sink.Items.Order().ShouldBe(rules.Select(r => $"alert {r.Key} {r.Threshold + 1}>{r.Threshold}").Order());
    }

    private sealed class ThresholdAlerts : KeyedCoProcessFunction<string, Rule, Ev, string>
    {
        private IValueState<Rule> _rule = null!;

        public override void Open(IRuntimeContext context) => _rule = context.State.GetState(new ValueStateDescriptor<Rule>("rule"));

        public override void ProcessElement1(Rule value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            _rule.Update(value);
            if (context.Timestamp != EventTime.NoTimestamp)
            {
                context.TimerService.RegisterEventTimeTimer(context.Timestamp + value.Threshold);
            }
        }

        public override void ProcessElement2(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (!_rule.TryGet(out var rule))
            {
                output.Collect($"no-rule {context.CurrentKey}");
            }
            else if (value.Value > rule.Threshold)
            {
                output.Collect($"alert {context.CurrentKey} {value.Value}>{rule.Threshold}");
            }
        }

        public override void OnTimer(long timestamp, KeyedProcessContext<string> context, ICollector<string> output)
        {
            _rule.Clear();
            output.Collect($"expire {context.CurrentKey}@{timestamp}");
        }
    }

    private sealed class BufferingAlerts : KeyedCoProcessFunction<string, Rule, Ev, string>
    {
        private IValueState<Rule> _rule = null!;
        private IListState<Ev> _pending = null!;

        public override void Open(IRuntimeContext context)
        {
            _rule = context.State.GetState(new ValueStateDescriptor<Rule>("rule"));
            _pending = context.State.GetListState(new ListStateDescriptor<Ev>("pending"));
        }

        public override void ProcessElement1(Rule value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            _rule.Update(value);
            foreach (var e in _pending.Get())
            {
                Check(value, e, output);
            }
            _pending.Clear();
        }

        public override void ProcessElement2(Ev value, KeyedProcessContext<string> context, ICollector<string> output)
        {
            if (_rule.TryGet(out var rule))
            {
                Check(rule, value, output);
            }
            else
            {
                _pending.Add(value);
            }
        }

        private static void Check(Rule rule, Ev e, ICollector<string> output)
        {
            if (e.Value > rule.Threshold)
            {
                output.Collect($"alert {rule.Key} {e.Value}>{rule.Threshold}");
            }
        }
    }

    public sealed class Heap : CoProcessTests
    {
        protected override BackendKind Kind => BackendKind.Heap;
    }

    public sealed class RocksDb : CoProcessTests
    {
        protected override BackendKind Kind => BackendKind.RocksDb;
    }
}
