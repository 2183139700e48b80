using Sluice.Checkpoints;
using Sluice.Runtime.Tests.Support;
using Sluice.State;
using Sluice.State.Serialization;

namespace Sluice.Runtime.Tests.Checkpointing;

/// <summary>
/// Asynchronous snapshots: the task thread only marks a copy-on-write point; keyed state is serialized off the task
/// thread while records keep flowing, the snapshot holds the state as of its barrier (not later writes), and a
/// snapshot that cannot be written fails the checkpoint and the job instead of completing it.
/// </summary>
public sealed class AsyncSnapshotTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sluice-async-" + Guid.NewGuid().ToString("N"));

    static AsyncSnapshotTests() => StateSerializers.Register(GatedSerializer.Instance);

    public void Dispose()
    {
        GatedSerializer.Instance.Reset();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Snapshot_IsWrittenOffTheTaskThread_AndHoldsTheStateAtItsBarrier()
    {
        var gate = GatedSerializer.Instance;
        gate.Close();
        var counter = new Counter(seeUpTo: 2_999);
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 1_000 };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v % 10).Process(counter).Uid("count").Collect("Sink");
        var client = env.Start();
        var completed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CheckpointCompleted += id => completed.TrySetResult(id);
        source.Paused.Wait(s_timeout).ShouldBeTrue();

        var id = client.TriggerCheckpoint();
        gate.Writing.Wait(s_timeout).ShouldBeTrue("the asynchronous phase should start writing the keyed state");
        // The write is blocked; the task thread must go on processing records after the barrier.
        source.AdvanceTo(3_000);
        counter.Seen.Wait(s_timeout).ShouldBeTrue("records after the barrier are processed while the snapshot is being written");
        completed.Task.IsCompleted.ShouldBeFalse("the checkpoint cannot complete before its snapshot is written");

        gate.Open();
        (await completed.Task.WaitAsync(s_timeout)).ShouldBe(id);
        await PausableRangeSource.CrashAsync(client);

        // Restore: the counts restart from the barrier (100 per key at record 1,000), not from the 300 reached later.
        var restoredCounter = new Counter(seeUpTo: -1);
        var env2 = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        var sink = env2.FromSource(new PausableRangeSource(2_000), name: "Range").Uid("range").KeyBy(v => v % 10).Process(restoredCounter).Uid("count").Collect("Sink");
        await env2.ExecuteAsync().WaitAsync(s_timeout);

        var last = sink.Items.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Max(p => p.Item2));
        last.Count.ShouldBe(10);
        last.Values.ShouldAllBe(count => count == 200, "100 restored at the barrier + 100 records from 1,000 to 1,999");
    }

    [Fact]
    public async Task Snapshot_ThatCannotBeWritten_FailsTheJobAndNeverCompletesTheCheckpoint()
    {
        var gate = GatedSerializer.Instance;
        gate.FailWrites = true;
        var source = new PausableRangeSource(long.MaxValue) { PauseAt = 500 };
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 1, Checkpoints = CheckpointOptions.InDirectory(_dir, TimeSpan.FromHours(1)) });
        env.FromSource(source, name: "Range").Uid("range").KeyBy(v => v % 10).Process(new Counter(seeUpTo: -1)).Uid("count").Collect("Sink");
        var client = env.Start();
        source.Paused.Wait(s_timeout).ShouldBeTrue();

        client.TriggerCheckpoint().ShouldBeGreaterThan(0);

        var error = await Should.ThrowAsync<JobExecutionException>(() => client.Completion.WaitAsync(s_timeout));
        error.Message.ShouldContain("could not write its snapshot");
        error.ToString().ShouldContain("disk full (test)");
        (await new LocalCheckpointStore(_dir).ListCompletedAsync()).ShouldBeEmpty();
    }

    /// <summary>A count per key in value state of <see cref="Gated"/>; emits (key, count) per record.</summary>
    private sealed class Counter(long seeUpTo) : KeyedProcessFunction<long, long, (long, long)>
    {
        private IValueState<Gated> _count = null!;

        public ManualResetEventSlim Seen { get; } = new();

        public override void Open(IRuntimeContext context) => _count = context.State.GetState(new ValueStateDescriptor<Gated>("count"));

        public override void ProcessElement(long value, KeyedProcessContext<long> context, ICollector<(long, long)> output)
        {
            var next = _count.Value.Value + 1;
            _count.Update(new Gated(next));
            output.Collect((context.CurrentKey, next));
            if (value == seeUpTo)
            {
                Seen.Set();
            }
        }
    }

    /// <summary>An unmanaged struct, so state never copies it (copy-on-write would call the serializer on the task thread).</summary>
    internal readonly record struct Gated(long Value);

    /// <summary>Writes <see cref="Gated"/> values; blocks while closed, or fails, so tests control the asynchronous phase.</summary>
    private sealed class GatedSerializer : IStateSerializer<Gated>
    {
        public static readonly GatedSerializer Instance = new();
        private readonly ManualResetEventSlim _open = new(initialState: true);

        public ManualResetEventSlim Writing { get; } = new();

        public volatile bool FailWrites;

        public string FormatId => "test-gated";

        public int Version => 1;

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        public void Reset()
        {
            FailWrites = false;
            Writing.Reset();
            _open.Set();
        }

        public void Write(StateWriter output, Gated value)
        {
            Writing.Set();
            if (FailWrites)
            {
                throw new IOException("disk full (test)");
            }
            _open.Wait(s_timeout).ShouldBeTrue("the test should open the gate");
            output.WriteInt64(value.Value);
        }

        public Gated Read(StateReader input, int version) => new(input.ReadInt64());
    }
}
