using Sluice.Connectors;
using Sluice.Operators;
using Sluice.Runtime.Tests.Support;
using Sluice.Schemas;
using Sluice.Sinks;

namespace Sluice.Runtime.Tests.Joins;

/// <summary>
/// <see cref="DataStream{T}.LookupAsync{TOut}"/>: the order of results and watermarks when lookups complete out of
/// order (each odd key's request completes before the even key sent just before it), and the timeout policy.
/// </summary>
public sealed class AsyncLookupOrderTests
{
    private static readonly Schema s_keySchema = new([new Field("k", DataType.BigInt)]);
    private static readonly Schema s_schema = new([new Field("k", DataType.BigInt), new Field("v", DataType.Varchar)]);

    [Fact]
    public async Task Ordered_LookupsCompletingOutOfOrder_ResultsAndWatermarksKeepArrivalOrder()
    {
        var events = await RunAsync(AsyncLookupOutputMode.Ordered);

        events.ShouldBe(["0=v0", "1=v1", "2=v2", "3=v3", "wm 3", "4=v4", "5=v5", "6=v6", "7=v7", "wm 7"]);
    }

    [Fact]
    public async Task Unordered_LookupsCompletingOutOfOrder_ResultsLeaveWhenReadyButNeverCrossAWatermark()
    {
        var events = await RunAsync(AsyncLookupOutputMode.Unordered);

        // Each segment's results leave in an order that depends on when the task thread saw their completions (a CI run
        // saw 1, 3, 2, 0 where they completed 1, 0, 3, 2) — but always between the watermarks around them.
        events.Take(4).ShouldBe(["0=v0", "1=v1", "2=v2", "3=v3"], ignoreOrder: true);
        events[4].ShouldBe("wm 3");
        events.Skip(5).Take(4).ShouldBe(["4=v4", "5=v5", "6=v6", "7=v7"], ignoreOrder: true);
        events.Skip(9).ShouldBe(["wm 7"]);
    }

    [Fact]
    public async Task Timeout_MissingPolicy_JoinsWithNullAndNeverHangs()
    {
        var events = new List<string>();
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 4).Select(i => (long)i))
            .LookupAsync(() => new ControlledLookupSource(answerOddAtOnce: true), KeyOf, Describe,
                new AsyncLookupOptions { BatchSize = 1, Linger = TimeSpan.Zero, Timeout = TimeSpan.FromMilliseconds(50), RetryBackoff = TimeSpan.Zero, TimeoutPolicy = LookupTimeoutPolicy.Missing, Lookup = new LookupOptions { MaxRetries = 1 } })
            .Transform("Recorder", () => new Recorder(events))
            .SinkTo(new CollectSink<string>());

        await env.ExecuteAsync().OrTimeout();

        events.Where(e => !e.StartsWith("wm", StringComparison.Ordinal)).ShouldBe(["0=null", "1=v1", "2=null", "3=v3"]);
    }

    [Fact]
    public async Task Timeout_FailPolicy_FailsTheJobNamingTheOperator()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 2).Select(i => (long)i))
            .LookupAsync(() => new ControlledLookupSource(answerOddAtOnce: true), KeyOf, Describe,
                new AsyncLookupOptions { BatchSize = 1, Linger = TimeSpan.Zero, Timeout = TimeSpan.FromMilliseconds(50), RetryBackoff = TimeSpan.Zero, Lookup = new LookupOptions { MaxRetries = 0 } }, "users-lookup")
            .SinkTo(new CollectSink<string>());

        var error = await Should.ThrowAsync<JobExecutionException>(() => env.ExecuteAsync().OrTimeout());

        error.Message.ShouldContain("users-lookup");
        error.Message.ShouldContain("No answer within 50 ms");
    }

    [Fact]
    public async Task CapacityFull_WhileTheTaskBlocks_WhatItEmittedReachesTheNextTask()
    {
        // Source, watermarks and lookup form one chain, so all 8 records are handled in one step of one task (the
        // source's single poll); the recorder runs at parallelism 2, across an exchange. Capacity 1: each record waits
        // for the previous one's lookup. Keys 0..3 are answered at once; key 4 only once a recorder has seen watermark
        // 3, which the lookup emitted (after 0..3) before record 5 blocks the task on key 4. The step cannot end first,
        // so only the lookup's own flush while it blocks can send them.
        var events = new List<string>();
        var sawWatermark3 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = new GatedLookupSource(gatedKey: 4, sawWatermark3.Task);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 8).Select(i => (long)i))
            .Transform("Watermarks", () => new WatermarkEveryFour())
            .LookupAsync(() => source, KeyOf, Describe,
                new AsyncLookupOptions { Capacity = 1, BatchSize = 1, Linger = TimeSpan.Zero, Timeout = TimeSpan.FromMinutes(1) })
            .Transform("Recorder", () => new Recorder(events, onWatermark: w =>
            {
                if (w == 3)
                {
                    sawWatermark3.TrySetResult();
                }
            }))
            .SetParallelism(2)
            .SinkTo(new CollectSink<string>());

        await env.ExecuteAsync().OrTimeout();

        source.GateOpenedBySignal.ShouldBeTrue("watermark 3 should reach the next task while the lookup task waits for key 4");
        lock (events)
        {
            events.Where(e => !e.StartsWith("wm", StringComparison.Ordinal))
                .ShouldBe(["0=v0", "1=v1", "2=v2", "3=v3", "4=v4", "5=v5", "6=v6", "7=v7"], ignoreOrder: true);
        }
    }

    private static Row KeyOf(long value) => Row.Of(s_keySchema, value);

    private static string Describe(long value, Row? row) => $"{value}={row?.GetString(1) ?? "null"}";

    /// <summary>Sends 8 records (a watermark after 3 and after 7) and, once all 8 lookups are in flight, answers them in the order 1, 0, 3, 2, 5, 4, 7, 6.</summary>
    private static async Task<List<string>> RunAsync(AsyncLookupOutputMode mode)
    {
        var events = new List<string>();
        var source = new ControlledLookupSource(answerOddAtOnce: false);
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1 });
        env.FromCollection(Enumerable.Range(0, 8).Select(i => (long)i))
            .Transform("Watermarks", () => new WatermarkEveryFour())
            .LookupAsync(() => source, KeyOf, Describe, new AsyncLookupOptions { BatchSize = 1, Linger = TimeSpan.Zero, OutputMode = mode })
            .Transform("Recorder", () => new Recorder(events))
            .SinkTo(new CollectSink<string>());
        var run = env.ExecuteAsync();
        for (var i = 0; i < 8; i++)
        {
            (await source.Requested.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue("all 8 lookups should be sent before any is answered");
        }
        foreach (var key in (long[])[1, 0, 3, 2, 5, 4, 7, 6])
        {
            source.Answer(key);
        }
        await run.OrTimeout();
        lock (events)
        {
            return [.. events.Where(e => e != "wm max")];
        }
    }

    /// <summary>Forwards records with timestamp = value and emits watermark <c>v</c> after every value <c>v</c> with <c>v % 4 == 3</c>; drops the source's own watermarks but the last.</summary>
    private sealed class WatermarkEveryFour : OneInputStreamOperator<long, long>
    {
        public override void ProcessElement(long value, long timestamp)
        {
            Output.Collect(value, value);
            if (value % 4 == 3)
            {
                Output.EmitWatermark(value);
            }
        }

        public override void ProcessWatermark(long watermark)
        {
            if (watermark == EventTime.MaxWatermark)
            {
                Output.EmitWatermark(watermark);
            }
        }
    }

    private sealed class Recorder(List<string> events, Action<long>? onWatermark = null) : OneInputStreamOperator<string, string>
    {
        public override void ProcessElement(string value, long timestamp)
        {
            lock (events)
            {
                events.Add(value);
            }
            Output.Collect(value, timestamp);
        }

        public override void ProcessWatermark(long watermark)
        {
            lock (events)
            {
                events.Add(watermark == EventTime.MaxWatermark ? "wm max" : $"wm {watermark}");
            }
            onWatermark?.Invoke(watermark);
            Output.EmitWatermark(watermark);
        }
    }

    /// <summary>
    /// Answers key k with (k, "v{k}") at once, except <paramref name="gatedKey"/>: its answer waits for
    /// <paramref name="gate"/> (at most 10 s, then it answers anyway so the job ends and the test can fail on
    /// <see cref="GateOpenedBySignal"/>).
    /// </summary>
    private sealed class GatedLookupSource(long gatedKey, Task gate) : IAsyncLookupSource
    {
        private volatile bool _gateOpenedBySignal;

        /// <summary>Whether the gated key was answered because the gate opened, not because the wait gave up.</summary>
        public bool GateOpenedBySignal => _gateOpenedBySignal;

        public Schema KeySchema => s_keySchema;

        public Schema Schema => s_schema;

        public void Open(LookupContext context)
        {
        }

        public async Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
        {
            keys.Count.ShouldBe(1);
            var key = keys[0].GetInt64(0);
            if (key == gatedKey)
            {
                _gateOpenedBySignal = await Task.WhenAny(gate, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)).ConfigureAwait(false) == gate;
            }
            return [[Row.Of(s_schema, key, $"v{key}")]];
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Answers key <c>k</c> with the row (k, "v{k}") when the test calls <see cref="Answer"/> (or at once for odd keys
    /// with <c>answerOddAtOnce</c>); a key never answered only ends by the operator's timeout. One instance per job.
    /// </summary>
    private sealed class ControlledLookupSource(bool answerOddAtOnce) : IAsyncLookupSource
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource<IReadOnlyList<IReadOnlyList<Row>>>> _requests = new();

        /// <summary>Released once per request received.</summary>
        public SemaphoreSlim Requested { get; } = new(0);

        public Schema KeySchema => s_keySchema;

        public Schema Schema => s_schema;

        public void Open(LookupContext context)
        {
        }

        public Task<IReadOnlyList<IReadOnlyList<Row>>> LookupBatchAsync(IReadOnlyList<Row> keys, CancellationToken cancellationToken)
        {
            keys.Count.ShouldBe(1);
            var key = keys[0].GetInt64(0);
            if (answerOddAtOnce && key % 2 == 1)
            {
                return Task.FromResult(Rows(key));
            }
            var request = _requests.GetOrAdd(key, _ => new TaskCompletionSource<IReadOnlyList<IReadOnlyList<Row>>>());
            Requested.Release();
            return request.Task;
        }

        /// <summary>Completes the request of <paramref name="key"/> on the calling thread (so the operator sees completions in call order).</summary>
        public void Answer(long key) => _requests[key].SetResult(Rows(key));

        private static IReadOnlyList<IReadOnlyList<Row>> Rows(long key) => [[Row.Of(s_schema, key, $"v{key}")]];

        public void Dispose()
        {
        }
    }
}
